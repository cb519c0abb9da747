//go:build tools

// Package tools pins etcd's server module (its root package is the etcd command), so that `go mod tidy` keeps
// go.sum complete for it. The binary is built by tools/real-cluster/src/build.mjs: go build go.etcd.io/etcd/server/v3
package tools

import _ "go.etcd.io/etcd/server/v3"
