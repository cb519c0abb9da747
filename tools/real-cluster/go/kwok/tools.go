//go:build tools

// Package tools pins the kwok command, so that `go mod tidy` keeps go.sum complete for it. The binary is built by
// tools/real-cluster/src/build.mjs: go build sigs.k8s.io/kwok/cmd/kwok
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
