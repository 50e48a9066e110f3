package data_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
)

func ExampleDescribe() {
	fmt.Println(data.Describe("8gaussians"))
	// Output:
	// 8gaussians: eight Gaussians on a circle at angles kπ/4 [radius=5 radius of the circle of centres, std=1 std of each Gaussian]
}

func ExampleReadCSV() {
	pts, err := data.ReadCSV(strings.NewReader("x,y\r\n1,2\r\n\r\n-0.5,3e2\r\n"), 1000)
	if err != nil {
		panic(err)
	}
	fmt.Println(pts)
	if err := data.WriteCSV(os.Stdout, append(pts, flow.Vec{0.1, -7})); err != nil {
		panic(err)
	}
	// Output:
	// [[1 2] [-0.5 300]]
	// x,y
	// 1,2
	// -0.5,300
	// 0.1,-7
}
