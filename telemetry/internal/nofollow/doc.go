// Package nofollow opens the files telemetry's file exporters write
// (OTLP-JSON lines, console JSON) without following a symbolic link in
// the path's final component: a link planted where a span file will be
// cannot make the exporter append to another file.
package nofollow
