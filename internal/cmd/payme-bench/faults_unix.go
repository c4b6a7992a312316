//go:build unix

package main

import (
	"os"
	"syscall"
)

// faultsCounted says whether minorFaults counts anything here.
const faultsCounted = true

// minorFaults is the minor page faults of a finished process and the
// children it reaped.
func minorFaults(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Minflt
	}
	return 0
}
