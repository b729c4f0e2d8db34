package admin

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// MinTokenLength is the fewest characters a configured token may have
// (16 random hex digits are 64 bits; `openssl rand -hex 16` makes 32).
const MinTokenLength = 16

// generatedTokenBytes is the randomness of a generated token: 192 bits,
// written as 32 base64url characters.
const generatedTokenBytes = 24

// ErrWeakToken is wrapped by the error NewHandler returns for a configured
// token that is too short or holds characters a header cannot carry.
var ErrWeakToken = errors.New("admin token refused")

// resolveToken returns the handler's token: the configured one (WithToken,
// else SIGHTLINE_ADMIN_TOKEN) checked for strength, or a generated one.
// configured reports which.
func resolveToken(o handlerOptions) (token string, configured bool, err error) {
	source := "the token given with WithToken"
	if !o.hasToken && o.getenv != nil {
		if v, ok := o.getenv(TokenEnv); ok {
			o.token = v
			source = TokenEnv
		}
	}
	token = strings.TrimSpace(o.token)
	if token == "" {
		token, err = generateToken()
		return token, false, err
	}
	if err := checkToken(token); err != nil {
		// Never print the token itself: only its length.
		return "", false, fmt.Errorf("telemetry admin: %s (%d characters): %w: %w; "+
			"want at least %d visible ASCII characters without spaces, e.g. from `openssl rand -hex 16`, "+
			"or leave it unset and use the generated token from the token file",
			source, len(token), ErrWeakToken, err, MinTokenLength)
	}
	return token, true, nil
}

// checkToken refuses a token that is short or that a header cannot carry
// unchanged.
func checkToken(token string) error {
	for i := 0; i < len(token); i++ {
		if c := token[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("character %d is not visible ASCII", i+1)
		}
	}
	if len(token) < MinTokenLength {
		return errors.New("too short")
	}
	return nil
}

// generateToken returns a fresh random token (crypto/rand, 192 bits).
func generateToken() (string, error) {
	b := make([]byte, generatedTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("telemetry admin: generating a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
