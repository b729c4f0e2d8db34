package serve

// WithSinkWrapper puts wrap around the store's sink, between the receivers
// and the store, for the tests of package serve_test (a slow store).
var WithSinkWrapper = withSinkWrapper
