package bytesize_test

import (
	"fmt"

	"github.com/sightline-dev/sightline/internal/bytesize"
)

func Example() {
	n, err := bytesize.Parse("16MiB")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, bytesize.Exact(n), bytesize.Human(n), bytesize.Human(n+n/3))
	// Output: 16777216 16MiB 16 MiB 21.3 MiB
}
