package admin

import "sync/atomic"

// Refusals counts the requests a Handler refused to protect its host,
// since it was made, by reason. Bad values (400) are not counted here.
type Refusals struct {
	// MissingToken counts requests that needed a token and carried none
	// (401): every change, and reads over a non-loopback connection.
	MissingToken uint64 `json:"missing_token"`
	// WrongToken counts requests with a token that is not the handler's (403).
	WrongToken uint64 `json:"wrong_token"`
	// CrossOrigin counts changes sent by a web page of another origin (403).
	CrossOrigin uint64 `json:"cross_origin"`
	// Host counts token-less reads naming a Host that is not loopback, as
	// a page that rebinds its DNS name to 127.0.0.1 does (403).
	Host uint64 `json:"host"`
	// FileEndpoint counts file endpoints refused: not absolute, outside the
	// allowed directories, a symbolic link or not a regular file (400/403).
	FileEndpoint uint64 `json:"file_endpoint"`
}

type refusals struct {
	missingToken, wrongToken, crossOrigin, host, fileEndpoint atomic.Uint64
}

// Refusals returns the handler's refusal counters.
func (h *Handler) Refusals() Refusals {
	r := &h.refused
	return Refusals{MissingToken: r.missingToken.Load(), WrongToken: r.wrongToken.Load(),
		CrossOrigin: r.crossOrigin.Load(), Host: r.host.Load(), FileEndpoint: r.fileEndpoint.Load()}
}
