package live

import (
	"runtime"
	"syscall"
	"unsafe"
)

// schedIdle is Linux's SCHED_IDLE policy: the thread runs only when no
// normal thread of the machine wants its core, and is preempted at once when
// one wakes. Rendering is a chain of short hand-offs between threads (game
// loop, GL driver, X server); under a mere nice value each hand-off can wait
// out a training thread's time slice, which cost two thirds of the frame
// rate under software GL. SCHED_IDLE keeps those hand-offs immediate while
// training still gets every cycle the render loop leaves.
const schedIdle = 5

// LowerPriority pins the calling goroutine to its OS thread and moves that
// thread to SCHED_IDLE (or, failing that, to nice 19). The thread is
// discarded when the goroutine ends, as the goroutine never unlocks it.
func LowerPriority() {
	runtime.LockOSThread()
	tid := syscall.Gettid()
	var param struct{ priority int32 } // sched_param; must be 0 for SCHED_IDLE
	_, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, uintptr(tid), schedIdle, uintptr(unsafe.Pointer(&param)))
	if errno != 0 {
		// Best effort: a failure leaves the thread at normal priority.
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, 19)
	}
}
