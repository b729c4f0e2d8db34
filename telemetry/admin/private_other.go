//go:build !unix

package admin

import "io/fs"

// checkPrivate accepts any directory: outside Unix, the runtime directory
// is the user's own profile directory, protected by its ACL.
func checkPrivate(fs.FileInfo) error { return nil }
