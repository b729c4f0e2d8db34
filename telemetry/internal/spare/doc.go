// Package spare is a pool of reusable buffers that keeps one of them
// across garbage collections.
//
// A sync.Pool empties itself over two collections. An exporter that sends
// a batch every few tens of milliseconds in a process that collects more
// often than that (a device server at thousands of calls a second) finds
// its pool empty at every export and grows a new request buffer each time:
// hundreds of kilobytes of garbage per batch, which makes collections more
// frequent still. A Pool keeps one item in a slot the collector does not
// empty, the one a serial user (the SDK calls an exporter from one
// goroutine at a time) takes and gives back, and a sync.Pool behind it for
// concurrent users.
package spare
