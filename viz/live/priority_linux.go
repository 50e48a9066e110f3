package live

import (
	"runtime"
	"syscall"
)

// backgroundNice is the nice value of the training and sampling threads:
// under contention Linux gives a nice-0 thread about nine times the CPU of a
// nice-10 one, so the render loop keeps its frames while training still gets
// every cycle the render loop does not use.
const backgroundNice = 10

// lowerPriority pins the calling goroutine to its OS thread and lowers that
// thread's priority. The thread is discarded when the goroutine ends, as the
// goroutine never unlocks it.
func lowerPriority() {
	runtime.LockOSThread()
	// Best effort: a failure leaves the thread at normal priority.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), backgroundNice)
}
