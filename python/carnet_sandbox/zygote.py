"""The sandbox's fork-server (ADR 027), started by the server inside bubblewrap (ADR 022).

    python3 -I -S zygote.py fork    <preloaded module>...   learner jobs, one fresh isolated process each
    python3 -I -S zygote.py trusted <preloaded module>...   trusted programs (no learner code), in-process

Requests and answers are frames on stdin/stdout: 4 bytes (big-endian length), then JSON.

`fork`: the zygote itself never reads a request: when one is waiting it forks a supervisor, which
reads it, enters new user, mount, PID, IPC, network and UTS namespaces, lays out a fresh tmpfs
working directory and the course, and forks the job's init (PID 1 of the new PID namespace, a
fresh /proc), which drops every capability and forks the job: rlimits, clean environment, no
inherited descriptors but its stdin (a memfd), stdout and stderr (pipes to the supervisor). The
supervisor enforces the wall clock and the output cap, then writes the answer frame itself. So
the zygote's memory never holds a job's data, and a job can neither see nor signal the zygote,
the supervisor or another job (they are outside its PID namespace; /proc is its own).

`trusted`: runs each program as `__main__` in this process, stdin/stdout/stderr in memory, and
keeps nothing between calls but imported modules: the preloaded ones, and those of the system's
packages (numpy cannot be imported twice in one process). For the grading judge: library code on data.

`sys.path` of every job: its own entries, then the standard library, then the system's
site-packages folders the server gives in CARNET_SITE (ADR 038). A job's environment is the one
bubblewrap gave the zygote (the server's `jobEnvironment`), minus the zygote's own settings.
"""

import base64
import ctypes
import io
import json
import os
import resource
import select
import signal
import struct
import sys
import time
import traceback

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
EXIT_MEMORY = 120
EXIT_SETUP = 125
EXIT_EOF = 3

HOME = "/home/learner"
COURSE = "/course"
COURSES = "/opt/courses"

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if isinstance(s, str) else s  # noqa: E731
    _check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _drop_capabilities():
    """No capability left, none to gain back (bounding set empty, no new privileges)."""
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    _check(libc.syscall(126 if os.uname().machine == "x86_64" else 91, header, data), "capset")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


# -- frames -----------------------------------------------------------------------------------


def _read_exact(fd, size):
    chunks = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd=0):
    (size,) = struct.unpack(">I", _read_exact(fd, 4))
    return json.loads(_read_exact(fd, size))


def write_frame(value, fd=1):
    data = json.dumps(value).encode()
    view = memoryview(struct.pack(">I", len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


# -- fork mode: the supervisor, the job's init, the job -----------------------------------------


def supervise():
    """In a fresh fork of the zygote: one job, from request to answer frame. Never returns."""
    code = 0
    try:
        try:
            job = read_frame(0)
        except EOFError:
            os._exit(EXIT_EOF)
        write_frame(run_isolated(job))
    except BaseException:
        try:
            write_frame({"error": traceback.format_exc()[-2000:]})
        except BaseException:
            code = 1
    os._exit(code)


def _enter_namespaces():
    uid, gid = os.getuid(), os.getgid()
    _check(
        libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS),
        "unshare",
    )
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)


def _lay_out(job):
    """A fresh tmpfs working directory, the course read-only at /course, its folders linked in."""
    _mount("tmpfs", HOME, "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(job['diskBytes'])},mode=0755")
    course = job.get("course")
    if course and "dir" in course:
        _mount(f"{COURSES}/{course['dir']}", COURSE, None, MS_BIND | MS_REC)
        _mount("none", COURSE, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    elif course and "files" in course:
        files = [(path, base64.b64decode(data)) for path, data in course["files"]]
        size = sum(len(data) for _, data in files) + 4096 * (len(files) + 16)
        _mount("tmpfs", COURSE, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=0755")
        for path, data in files:
            target = os.path.join(COURSE, path)
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
        _mount("none", COURSE, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    # Other versions' folders: hidden under an empty read-only tmpfs.
    _mount("tmpfs", COURSES, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4096,mode=0555")
    for name, target in job.get("links", []):
        inside = os.path.join(HOME, name)
        os.mkdir(inside, 0o755)
        _mount(os.path.join(COURSE, target), inside, None, MS_BIND | MS_REC)
        _mount("none", inside, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def run_isolated(job):
    started = time.monotonic()
    _enter_namespaces()
    _lay_out(job)
    stdin = os.memfd_create("stdin")
    os.write(stdin, base64.b64decode(job.get("stdin", "")))
    os.lseek(stdin, 0, os.SEEK_SET)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    init = os.fork()
    if init == 0:
        try:
            os.close(out_r)
            os.close(err_r)
            job_init(job, stdin, out_w, err_w)
        finally:
            os._exit(EXIT_SETUP)
    os.close(out_w)
    os.close(err_w)
    os.close(stdin)
    _drop_capabilities()
    return collect(init, out_r, err_r, job, started)


def collect(init, out_r, err_r, job, started):
    """The job's output (capped), its exit status, or why it was stopped (wall clock, output)."""
    cap = int(job["outputBytes"])
    deadline = started + job["wallMs"] / 1000
    streams = {out_r: bytearray(), err_r: bytearray()}
    truncated = {out_r: False, err_r: False}
    open_fds = [out_r, err_r]
    timed_out = output_limited = False
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select(open_fds, [], [], left)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.remove(fd)
                continue
            room = cap - len(streams[fd])
            if len(chunk) > room:
                streams[fd] += chunk[: max(room, 0)]
                truncated[fd] = True
                output_limited = True
            else:
                streams[fd] += chunk
        if output_limited:
            break
    if timed_out or output_limited:
        os.kill(init, signal.SIGKILL)  # PID 1 of the job's namespace: every process of the job dies
    _, status = os.waitpid(init, 0)
    exit_code = os.waitstatus_to_exitcode(status)
    return {
        "exitCode": exit_code if exit_code >= 0 else 128 - exit_code,
        "stdout": base64.b64encode(streams[out_r]).decode(),
        "stderr": base64.b64encode(streams[err_r]).decode(),
        "stdoutTruncated": truncated[out_r],
        "stderrTruncated": truncated[err_r],
        "timedOut": timed_out,
        "outputLimited": output_limited,
    }


def job_init(job, stdin, out_w, err_w):
    """PID 1 of the job's namespace: its own /proc, no capabilities; runs the job, reaps, relays."""
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _drop_capabilities()
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    child = os.fork()
    if child == 0:
        try:
            run_job(job, stdin, out_w, err_w)
        finally:
            os._exit(EXIT_SETUP)
    os.close(stdin)
    os.close(out_w)
    os.close(err_w)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(EXIT_SETUP)
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            os._exit(code if code >= 0 else 128 - code)


def run_job(job, stdin, out_w, err_w):
    """The job itself: the bootstrap's work (ADR 022), in a process forked from a clean zygote."""
    os.setsid()
    os.dup2(stdin, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.closerange(3, 65536)
    for name in list(os.environ):
        del os.environ[name]
    os.environ.update(JOB_ENVIRONMENT, PWD=HOME)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, value in job["rlimits"]:
        value = int(value)
        resource.setrlimit(getattr(resource, "RLIMIT_" + name), (value, value + 1 if name == "CPU" else value))
    os.chdir(HOME)
    sys.path[:] = [p for p in job["path"] if p] + BASE_PATH
    sys.argv[:] = [job["filename"]] + job.get("argv", [])
    if "random" in sys.modules:
        sys.modules["random"].seed()
    if job.get("file"):
        with open(job["file"], "rb") as f:
            source = f.read()
    else:
        source = job["code"].encode()
    main = type(sys)("__main__")
    main.__file__ = job["filename"]
    sys.modules["__main__"] = main
    del job
    status = _run_main(source, main)
    try:
        import threading

        threading._shutdown()
        import atexit

        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os._exit(status)


def _run_main(source, main):
    try:
        exec(compile(source, main.__file__, "exec"), main.__dict__)
        return 0
    except SystemExit as e:
        if e.code is None:
            return 0
        if isinstance(e.code, int):
            return e.code & 0xFF
        try:
            sys.stdout.flush()
            print(e.code, file=sys.stderr)
        except BaseException:
            pass
        return 1
    except MemoryError:
        sys.stdout.flush()
        sys.stderr.write("MemoryError: the program used more memory than allowed\n")
        sys.stderr.flush()
        return EXIT_MEMORY
    except BaseException as e:
        tb = e.__traceback__
        tb = tb.tb_next if tb is not None and tb.tb_next is not None else tb
        try:
            sys.stdout.flush()
        except BaseException:
            pass
        traceback.print_exception(type(e), e, tb)
        return 1


def serve_forks():
    """Forks a supervisor per waiting request; reads nothing itself."""
    while True:
        ready, _, _ = select.select([0], [], [])
        if not ready:
            continue
        supervisor = os.fork()
        if supervisor == 0:
            supervise()
        _, status = os.waitpid(supervisor, 0)
        if os.waitstatus_to_exitcode(status) == EXIT_EOF:
            return  # the server closed our stdin
        if status != 0:
            # The supervisor died without answering (the server then restarts this zygote).
            write_frame({"error": f"the job's supervisor ended with status {status}"})


# -- trusted mode -------------------------------------------------------------------------------


def serve_trusted():
    compiled = {}
    modules = set(sys.modules)
    while True:
        try:
            call = read_frame(0)
        except EOFError:
            return
        source = call["code"]
        code = compiled.get(source)
        if code is None:
            code = compiled[source] = compile(source, call["filename"], "exec")
        stdin = io.TextIOWrapper(io.BytesIO(base64.b64decode(call.get("stdin", ""))), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdin, sys.stdout, sys.stderr, list(sys.path), list(sys.argv)
        main = type(sys)("__main__")
        main.__file__ = call["filename"]
        sys.modules["__main__"] = main
        sys.stdin, sys.stdout, sys.stderr = stdin, out, err
        sys.argv[:] = [call["filename"]] + call.get("argv", [])
        memory = False
        try:
            status = _run_main_code(code, main)
        except MemoryError:
            status, memory = EXIT_MEMORY, True
        finally:
            sys.stdin, sys.stdout, sys.stderr, sys.path[:], sys.argv[:] = saved
            for name in set(sys.modules) - modules:
                if _system_package(sys.modules[name]):
                    modules.add(name)  # kept: imported once, read-only code
                else:
                    del sys.modules[name]
        write_frame(
            {
                "exitCode": status,
                "stdout": base64.b64encode(out.getvalue().encode()).decode(),
                "stderr": base64.b64encode(err.getvalue().encode()).decode(),
            }
        )
        if memory or status == EXIT_MEMORY:
            return  # start afresh


def _run_main_code(code, main):
    try:
        exec(code, main.__dict__)
        return 0
    except SystemExit as e:
        return 0 if e.code is None else e.code if isinstance(e.code, int) else 1
    except MemoryError:
        return EXIT_MEMORY
    except BaseException:
        traceback.print_exc()
        return 1


def _system_package(module):
    """Whether a module comes from the system's site-packages (numpy…) rather than a job."""
    file = getattr(module, "__file__", None)
    return isinstance(file, str) and any(file.startswith(folder + os.sep) for folder in SITE_PACKAGES)


# The end of every job's sys.path: the standard library, then the system's packages.
BASE_PATH = []
SITE_PACKAGES = []
JOB_ENVIRONMENT = {}


def main(argv):
    mode, preload = argv[0], argv[1:]
    # sys.path: the library folders given by the server, the standard library, the system's packages.
    script_dir = sys.path.pop(0)
    del script_dir
    SITE_PACKAGES[:] = [p for p in os.environ.pop("CARNET_SITE", "").split(":") if p]
    BASE_PATH[:] = list(sys.path) + SITE_PACKAGES
    sys.path[:] = [p for p in os.environ.pop("CARNET_LIBRARIES", "").split(":") if p] + BASE_PATH
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for item in os.environ.pop("CARNET_RLIMITS", "").split(","):
        if item:
            name, value = item.split("=")
            resource.setrlimit(getattr(resource, "RLIMIT_" + name), (int(value), int(value)))
    JOB_ENVIRONMENT.update(os.environ)
    for name in preload:
        __import__(name)
    import gc

    gc.collect()
    gc.freeze()  # the preloaded objects stay out of the collector: fewer copy-on-write faults per fork
    write_frame({"ready": True})
    if mode == "trusted":
        serve_trusted()
    else:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        serve_forks()


if __name__ == "__main__":
    main(sys.argv[1:])
