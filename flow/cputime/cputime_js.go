//go:build js

package cputime

import (
	"syscall/js"
	"time"
)

// Process is the CPU time (user + system) of the JavaScript process, from
// Node's process.cpuUsage(); in a browser, which has no such call, it is 0
// and benchmarks report wall-clock rates only.
func Process() time.Duration {
	proc := js.Global().Get("process")
	if proc.Type() != js.TypeObject {
		return 0
	}
	f := proc.Get("cpuUsage")
	if f.Type() != js.TypeFunction {
		return 0
	}
	u := f.Invoke()
	us := u.Get("user").Float() + u.Get("system").Float()
	return time.Duration(us * float64(time.Microsecond))
}
