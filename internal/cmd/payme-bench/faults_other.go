//go:build !unix

package main

import "os"

// minorFaults is not counted where rusage does not exist.
func minorFaults(*os.ProcessState) int64 { return 0 }
