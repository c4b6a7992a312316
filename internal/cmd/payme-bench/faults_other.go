//go:build !unix

package main

import "os"

// faultsCounted says whether minorFaults counts anything here.
const faultsCounted = false

// minorFaults is not counted where rusage does not exist.
func minorFaults(*os.ProcessState) int64 { return 0 }
