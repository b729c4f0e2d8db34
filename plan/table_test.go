package plan

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestTablePrinter(t *testing.T) {
	re := NewRunEngine(WithClock(fixedClock()), WithUIDs(counterUIDs()))
	var out strings.Builder
	table := NewTablePrinter(&out, "motor", "det", "missing")
	table.Location = time.UTC
	re.Subscribe(table.Handle)
	m := &motor{name: "motor"}
	d := &det{name: "det", motor: m}
	if _, err := re.Run(context.Background(), Scan(readables(d), m, 0, 1, 3)); err != nil {
		t.Fatal(err)
	}
	d.onTrigger = func(n int) {
		if n == 5 {
			_ = re.Abort("enough")
		}
	}
	if _, err := re.Run(context.Background(), Count(readables(d), 5, 0)); err == nil {
		t.Fatal("no abort")
	}
	want := `+-----------+------------+------------+------------+
|   seq_num |       time |      motor |        det |
+-----------+------------+------------+------------+
|         1 | 12:00:02.0 |      0.000 |      0.000 |
|         2 | 12:00:03.0 |      0.500 |      5.000 |
|         3 | 12:00:04.0 |      1.000 |     10.000 |
+-----------+------------+------------+------------+
generator scan ['uid-1'] (scan num: 1)
+-----------+------------+------------+
|   seq_num |       time |        det |
+-----------+------------+------------+
|         1 | 12:00:08.0 |     10.000 |
+-----------+------------+------------+
generator count ['uid-7'] (scan num: 2)
exit_status: abort (enough)
`
	if out.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestCell(t *testing.T) {
	for v, want := range map[any]string{
		1.23456: "     1.235", 42: "        42", "a long string value": "a long str", nil: "          ", true: "      true",
	} {
		if got := cell(v, 10); got != want {
			t.Errorf("cell(%v) = %q, want %q", v, got, want)
		}
	}
}
