// Package cputime reads the CPU time this process has used, for benchmarks
// that compare rates on a machine other jobs keep busy: time spent waiting
// for a core does not count.
package cputime
