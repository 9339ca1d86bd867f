#!/usr/bin/env python3
"""Checks deploy/k8s/bench-job.yaml without a cluster, and can run its pods' commands locally.

    python3 deploy/k8s/check.py deploy/k8s/bench-job.yaml
    python3 deploy/k8s/check.py deploy/k8s/bench-job.yaml --run "dotnet src/Verify.Cli/bin/Release/net10.0/Verify.Cli.dll" \
        --data ../shared --results /tmp/k8s-results --set BENCH=test

Structural checks (what `kubectl apply --dry-run=client` would need a server for is not checked): every document
parses and has apiVersion/kind/metadata.name; the Indexed Job's completions equal VERIFY_SHARD_COUNT and parallelism
is at most completions; every volumeMount names a volume of its pod; every PVC claim is defined in the file; every
$(VAR) in command/args is a container env var or JOB_COMPLETION_INDEX. With --run, each index's container args are
expanded as Kubernetes would ($(VAR) from env, JOB_COMPLETION_INDEX set), /data and /results mapped to local folders,
run concurrently as processes, then the merge Job's args; exits with the merge's exit code.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

import yaml

REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def fail(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def containers(job):
    spec = job["spec"]["template"]["spec"]
    return spec, spec.get("initContainers", []) + spec["containers"]


def env_of(container, overrides):
    env = {e["name"]: str(e.get("value", "")) for e in container.get("env", [])}
    env.update({k: v for k, v in overrides.items() if k in env})
    return env


def check(docs):
    names = {}
    for d in docs:
        for key in ("apiVersion", "kind"):
            if key not in d:
                fail(f"a document has no {key}")
        if "name" not in d.get("metadata", {}):
            fail(f"a {d['kind']} has no metadata.name")
        names.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    claims = set(names.get("PersistentVolumeClaim", {}))
    jobs = names.get("Job", {})
    indexed = [j for j in jobs.values() if j["spec"].get("completionMode") == "Indexed"]
    if len(indexed) != 1:
        fail(f"expected one Indexed Job, found {len(indexed)}")
    for name, job in jobs.items():
        if job["apiVersion"] != "batch/v1":
            fail(f"Job {name}: apiVersion must be batch/v1")
        pod, cs = containers(job)
        if pod.get("restartPolicy") not in ("Never", "OnFailure"):
            fail(f"Job {name}: restartPolicy must be Never or OnFailure")
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for v in volumes.values():
            claim = v.get("persistentVolumeClaim", {}).get("claimName")
            if claim is not None and claim not in claims:
                fail(f"Job {name}: volume {v['name']} claims {claim}, which the file does not define")
        for c in cs:
            for m in c.get("volumeMounts", []):
                if m["name"] not in volumes:
                    fail(f"Job {name}, container {c['name']}: volumeMount {m['name']} names no volume")
            env = env_of(c, {})
            for word in c.get("command", []) + c.get("args", []):
                for ref in REF.findall(word):
                    if ref not in env and not (ref == "JOB_COMPLETION_INDEX" and job in indexed):
                        fail(f"Job {name}, container {c['name']}: $({ref}) is not defined")
    job = indexed[0]
    completions, parallelism = job["spec"]["completions"], job["spec"].get("parallelism", 1)
    main = job["spec"]["template"]["spec"]["containers"][0]
    count = env_of(main, {}).get("VERIFY_SHARD_COUNT")
    if count != str(completions):
        fail(f"Job {job['metadata']['name']}: VERIFY_SHARD_COUNT ({count}) must equal completions ({completions})")
    if parallelism > completions:
        fail(f"Job {job['metadata']['name']}: parallelism {parallelism} exceeds completions {completions}")
    merge = [j for j in jobs.values() if j is not job]
    return job, (merge[0] if merge else None)


def expand(words, env, data, results):
    out = []
    for w in words:
        w = REF.sub(lambda m: env[m.group(1)], w)
        w = re.sub(r"^/data(?=/|$)", data, w)
        w = re.sub(r"^/results(?=/|$)", results, w)
        out.append(w)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--run", help="command that runs verify (e.g. 'dotnet .../Verify.Cli.dll')")
    ap.add_argument("--data", help="local folder mounted at /data")
    ap.add_argument("--results", help="local folder mounted at /results")
    ap.add_argument("--set", action="append", default=[], help="NAME=VALUE: override a container env value")
    a = ap.parse_args()
    with open(a.file) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    job, merge = check(docs)
    print(f"ok: {len(docs)} documents; Indexed Job {job['metadata']['name']} with {job['spec']['completions']} completions")
    if not a.run:
        return 0
    overrides = dict(s.split("=", 1) for s in a.set)
    verify = shlex.split(a.run)
    n = job["spec"]["completions"]
    _, cs = containers(job)
    main_c = job["spec"]["template"]["spec"]["containers"][0]
    procs = []
    for i in range(n):
        env = env_of(main_c, overrides)
        env["JOB_COMPLETION_INDEX"] = str(i)
        for init in job["spec"]["template"]["spec"].get("initContainers", []):
            ienv = env_of(init, overrides)
            subprocess.run(expand(init["command"], ienv, a.data, a.results), check=True)
        cmd = verify + expand(main_c["args"], env, a.data, a.results)
        penv = dict(os.environ, **{k: v for k, v in env.items()}, NO_COLOR="1")
        procs.append((i, subprocess.Popen(cmd, env=penv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    for i, p in procs:
        out, _ = p.communicate()
        if p.returncode != 0:
            print(out)
            fail(f"index {i} exited {p.returncode}")
        shard = [line for line in out.splitlines() if line.startswith("shard ")]
        print(f"index {i}: exit 0; {shard[0] if shard else 'no shard line'}")
    if merge is None:
        return 0
    mc = merge["spec"]["template"]["spec"]["containers"][0]
    cmd = verify + expand(mc["args"], env_of(mc, overrides), a.data, a.results)
    r = subprocess.run(cmd, env=dict(os.environ, NO_COLOR="1"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(r.stdout)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
