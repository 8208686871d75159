"""The audit hook that fences a student's code in, inside its own process.

This is the second fence. The first is the operating system's (see `sandbox`):
limits on CPU time, memory, file size and processes, and, where Bubblewrap is
installed, a sandbox that shows only the submission and Python. Without
Bubblewrap this hook is what keeps the code out of the teacher's files, so it is
written to survive a student who reads it:

- it refuses new processes, signals, sockets, ctypes calls and memory access,
  tracing, and the introspection that would find the hook itself (gc's object
  lists, other threads' frames);
- a file may be read only inside the Python installation, the engine and the
  submission's folder (never inside `deny`: the answer key, the other
  students, the grader's outputs), and written only inside the scratch folder,
  at most `MAX_WRITES` times;
- paths must be absolute plain `str`/`bytes` (a relative path could be taken
  from a directory descriptor the event does not show, a str subclass or a
  path object could answer differently the second time it is asked);
- everything the hook uses was captured when it was installed: immutable
  tuples and sets, and functions of the C modules `posix` and `_stat`, so
  replacing `os.path.realpath`, a module constant or `os.fsdecode` changes
  nothing; it never calls an object the student made;
- `_posixsubprocess.fork_exec`, the one way to start a process that raises no
  audit event, is replaced everywhere it is referenced.

Python's documentation says it plainly: an audit hook is not a sandbox (code
that corrupts the interpreter's memory, through NumPy's `as_strided` for
instance, gets past any hook). That is why grading says so when Bubblewrap is
missing, and why a grader running as root runs the student's process under
another user (see `sandbox.drop_privileges`).
"""

from __future__ import annotations

import itertools
import sys

MAX_WRITES = 64  # files the student's code may open for writing (1 MB each)

# Audit events refused once the student's code may run.
REFUSED = frozenset(
    {
        # new processes and signals
        *("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork"),
        *("os.forkpty", "subprocess.Popen", "os.kill", "os.killpg"),
        *("signal.pthread_kill", "signal.pidfd_send_signal", "os.pidfd_open"),
        # the network, foreign calls and raw memory, limits, tracing
        *("socket.__new__", "socket.connect", "socket.bind", "socket.sendto"),
        *("ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function"),
        *("ctypes.cdata", "ctypes.cdata/buffer", "ctypes.string_at"),
        *("ctypes.wstring_at", "ctypes.get_errno", "ctypes.set_errno"),
        *("resource.setrlimit", "resource.prlimit", "sys.settrace", "sys.setprofile"),
        # finding the hook: every object, other threads' frames
        *("gc.get_objects", "gc.get_referrers", "gc.get_referents"),
        *("sys._current_frames", "sys._current_exceptions"),
        # the working folder and extended attributes
        *("os.chdir", "os.setxattr", "os.removexattr", "shutil.rmtree"),
    }
)
MODULES = frozenset(
    {"subprocess", "_posixsubprocess", "multiprocessing", "socket", "_socket", "pty"}
)
# Events that change the filesystem: their first argument is a path (the
# second too for the two-path ones).
WRITE_EVENTS = frozenset(
    {
        *("os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown"),
        *("os.truncate", "os.utime", "os.mkfifo", "os.mknod"),
    }
)
TWO_PATH_EVENTS = frozenset({"os.rename", "os.link", "os.symlink"})
# Events whose first argument is a folder the code lists.
LIST_EVENTS = frozenset({"os.listdir", "os.scandir"})


class Refused(PermissionError):
    """What the student's code gets for a refused action."""


def install(scratch: str, readable: list[str], deny: list[str]) -> None:
    """Disarm the unaudited process starter, then add the hook for good."""
    _disarm_fork_exec()
    sys.addaudithook(_make_hook(scratch, tuple(readable), tuple(deny)))


def _disarm_fork_exec() -> None:
    """Replace `_posixsubprocess.fork_exec` in every module that holds it (the
    subprocess module keeps its own reference); importing it afresh is refused
    by the hook (the `import` event names it)."""
    module = sys.modules.get("_posixsubprocess")
    original = getattr(module, "fork_exec", None)
    if original is None:
        return

    def fork_exec(*args, **kwargs):
        raise Refused("not allowed while grading: starting a process")

    for loaded in list(sys.modules.values()):
        namespace = getattr(loaded, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for name, value in list(namespace.items()):
            if value is original:
                namespace[name] = fork_exec


def _make_hook(scratch: str, readable: tuple, deny: tuple):
    """The hook, closed over immutable values and C functions only."""
    import _stat
    import posix

    lstat, readlink, is_link = posix.lstat, posix.readlink, _stat.S_ISLNK
    refused, modules = REFUSED, MODULES
    write_events, two_paths, list_events = WRITE_EVENTS, TWO_PATH_EVENTS, LIST_EVENTS
    writable = (scratch,)
    writes, max_writes = itertools.count(), MAX_WRITES  # advanced, never wound back
    # builtins and globals are looked up when used: keep the ones used now
    str_, bytes_, int_, type_, any_, next_ = str, bytes, int, type, any, next
    refused_error, os_error, value_error = Refused, OSError, ValueError
    write_flags = posix.O_WRONLY | posix.O_RDWR | posix.O_CREAT | posix.O_TRUNC
    write_flags |= posix.O_APPEND

    def resolve(path):
        """`path` with every link followed (os.path.realpath's job, done with
        lstat and readlink); None when it cannot be judged."""
        if type_(path) is bytes_:
            path = path.decode("utf-8", "surrogateescape")
        if type_(path) is not str_ or not path.startswith("/") or "\0" in path:
            return None
        todo, done, links = [p for p in path.split("/") if p][::-1], "", 0
        while todo:
            part = todo.pop()
            if part == ".":
                continue
            if part == "..":
                done = done[: done.rfind("/")]
                continue
            candidate = done + "/" + part
            try:
                mode = lstat(candidate).st_mode
            except (os_error, value_error):
                done = candidate  # does not exist (yet): judged as written
                continue
            if not is_link(mode):
                done = candidate
                continue
            links += 1
            if links > 40:
                return None
            try:
                target = readlink(candidate)
            except (os_error, value_error):
                return None
            if target.startswith("/"):
                done = ""
            todo += [p for p in target.split("/") if p][::-1]
        return done or "/"

    def within(real, roots) -> bool:
        return any_(r in ("/", real) or real.startswith(r + "/") for r in roots)

    def allowed(path, roots) -> bool:
        real = resolve(path)
        return real is not None and within(real, roots) and not within(real, deny)

    def refuse(what):
        raise refused_error("not allowed while grading: " + what)

    def show(path) -> str:
        return path if type_(path) is str_ else "a path that is not a plain str"

    def hook(event, args):
        if event in refused:
            refuse(event)
        elif event == "import":
            if type_(args[0]) is not str_ or args[0] in modules:
                refuse("import " + show(args[0]))
        elif event == "open":
            path, mode, flags = args[0], args[1], args[2]
            if type_(path) is int_:
                return  # an already open descriptor
            writing = type_(flags) is not int_ or (flags & write_flags) != 0
            writing = writing or (mode is not None and type_(mode) is not str_)
            if mode is not None and type_(mode) is str_:
                writing = writing or any_(c in mode for c in "wax+")
            if writing:
                if not allowed(path, writable) or next_(writes) >= max_writes:
                    refuse("writing " + show(path))
            elif not allowed(path, readable):
                refuse("reading " + show(path))
        elif event in list_events:
            path = args[0]
            listed = path is None or type_(path) is int_ or allowed(path, readable)
            if not listed:
                refuse("listing " + show(path))
        elif event in write_events or event in two_paths:
            for path in args[: 2 if event in two_paths else 1]:
                if type_(path) is not int_ and not allowed(path, writable):
                    refuse(event + " " + show(path))

    return hook
