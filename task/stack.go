package task

import (
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
)

// maxStackFrames bounds the frames in a panic's stack summary.
const maxStackFrames = 8

// registerPrefix is the name prefix of the closures RegisterIn makes; the
// summary stops there, at the frame that called the user's function.
var registerPrefix = func() string {
	name := runtime.FuncForPC(reflect.ValueOf(nameList).Pointer()).Name()
	return name[:strings.LastIndex(name, ".")] + ".RegisterIn["
}()

// panicStack summarises the current goroutine's stack from inside a
// deferred recover: the frames between the panic and the registry's call
// of the function, runtime frames left out, one "func (file:line)" a line.
func panicStack() string {
	return summariseStack(string(debug.Stack()))
}

// summariseStack does panicStack's work on a stack in the format of
// runtime/debug.Stack.
func summariseStack(stack string) string {
	lines := strings.Split(stack, "\n")
	type frame struct{ fn, loc string }
	var frames []frame
	for i := 1; i+1 < len(lines); i += 2 { // lines[0] is "goroutine N [running]:"
		fn, loc := strings.TrimSpace(lines[i]), strings.TrimSpace(lines[i+1])
		if fn == "" {
			break
		}
		if j := strings.LastIndex(fn, "("); j > 0 && strings.HasSuffix(fn, ")") {
			fn = fn[:j]
		}
		if j := strings.LastIndex(loc, " +0x"); j > 0 {
			loc = loc[:j]
		}
		frames = append(frames, frame{fn, loc})
	}
	start := 0
	for i, f := range frames {
		if f.fn == "panic" {
			start = i + 1
		}
	}
	var b strings.Builder
	n := 0
	for _, f := range frames[start:] {
		if strings.HasPrefix(f.fn, registerPrefix) || n == maxStackFrames {
			break
		}
		if strings.HasPrefix(f.fn, "runtime.") {
			continue
		}
		if n > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.fn + " (" + f.loc + ")")
		n++
	}
	return b.String()
}

// nameList formats registered names for an error message.
func nameList(names []string) string {
	const max = 20
	if len(names) == 0 {
		return "none"
	}
	if len(names) > max {
		return strings.Join(names[:max], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}
