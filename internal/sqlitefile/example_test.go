package sqlitefile_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sightline-dev/sightline/internal/sqlitefile"
)

// A writer pool of one connection and a pool of readers on the same file.
func Example() {
	dir, err := os.MkdirTemp("", "sqlitefile-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "data.db")

	w, err := sqlitefile.Open(path, sqlitefile.WithWAL(), sqlitefile.WithSynchronous("NORMAL"), sqlitefile.WithImmediateTx())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	r, err := sqlitefile.Open(path, sqlitefile.WithQueryOnly())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()

	ctx := context.Background()
	if _, err := w.ExecContext(ctx, "CREATE TABLE runs (name TEXT); INSERT INTO runs VALUES ('scan 1')"); err != nil {
		fmt.Println(err)
		return
	}
	var name string
	if err := r.QueryRowContext(ctx, "SELECT name FROM runs").Scan(&name); err != nil {
		fmt.Println(err)
		return
	}
	fi, _ := os.Stat(path)
	fmt.Println(name, fi.Mode().Perm())
	// Output: scan 1 -rw-------
}
