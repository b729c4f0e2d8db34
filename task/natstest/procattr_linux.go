package natstest

import "syscall"

// procAttr makes the kernel kill nats-server when the test process dies,
// so a test binary killed by its timeout leaves no server behind.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
