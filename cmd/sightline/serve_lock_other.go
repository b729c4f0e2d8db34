//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

// dirLocked cannot tell on this platform, where the store takes no lock.
func dirLocked(string) bool { return false }
