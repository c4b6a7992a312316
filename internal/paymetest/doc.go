// Package paymetest holds what the tests of several packages share: a
// clock that tests move by hand, a buffer safe to write from one goroutine
// while another reads it, and reusable state checks for acceptance tests.
// It is imported by tests only; production code never depends on it.
package paymetest
