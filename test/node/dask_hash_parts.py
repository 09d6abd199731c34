"""Run `lineproof hash --part` tasks, and tasks of spec/hashing.md's Python reference, on a Dask
cluster (test/node/hash-part-dask.test.ts starts the scheduler and the workers on 127.0.0.1).

usage: dask_hash_parts.py SCHEDULER_FILE JOB.json
JOB: {"node": ..., "cli": ..., "root": ..., "out": DIR, "parts": N, "flags": [...],
      "python": [I, ...] (parts the reference writes), "reference": SOURCE, "leafBytes": L|null,
      "algorithm": A}
Prints {"parts": [{"part": I, "file": ..., "by": "lineproof"|"python", "worker": ADDRESS}]}.
"""
import json
import sys

from distributed import Client, get_worker


def lineproof_part(job, i):
    import subprocess
    out = '%s/part-%d.json' % (job['out'], i)
    cmd = [job['node'], job['cli'], 'hash', job['root'], *job['flags'], '--part', '%d/%d' % (i, job['parts']), '--out', out]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError('lineproof hash --part %d failed (%d): %s' % (i, r.returncode, r.stderr))
    return {'part': i, 'file': out, 'by': 'lineproof', 'worker': get_worker().address}


def python_part(job, i):
    scope = {}
    exec(job['reference'], scope)
    part = scope['hash_part'](job['root'], i, job['parts'], job['algorithm'], job['leafBytes'])
    out = '%s/part-%d.json' % (job['out'], i)
    with open(out, 'w', encoding='utf-8') as fh:
        json.dump(part, fh, ensure_ascii=False)
    return {'part': i, 'file': out, 'by': 'python', 'worker': get_worker().address}


def main():
    scheduler_file, job_file = sys.argv[1], sys.argv[2]
    with open(job_file, encoding='utf-8') as fh:
        job = json.load(fh)
    with Client(scheduler_file=scheduler_file, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        futures = [
            client.submit(python_part if i in job['python'] else lineproof_part, job, i, pure=False)
            for i in range(1, job['parts'] + 1)
        ]
        print(json.dumps({'parts': client.gather(futures)}))


if __name__ == '__main__':
    main()
