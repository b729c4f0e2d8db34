package otelcoltest

import "syscall"

// procAttr makes the kernel kill the collector when the test process
// dies, so a test binary killed by its timeout leaves no collector behind.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
