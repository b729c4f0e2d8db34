package properties

import "github.com/sightline-dev/sightline/internal/sqlitefile"

// FileMode is the mode of the properties file and of SQLite's -wal and
// -shm files beside it (SQLite gives them the database's mode): read and
// write for the owner only, since properties choose where a component
// exports (files included). Open creates the file with it and takes wider
// bits away from an existing one; a file of another user keeps its mode.
const FileMode = sqlitefile.Mode
