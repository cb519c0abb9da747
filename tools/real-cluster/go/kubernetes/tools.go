//go:build tools

// Package tools pins the Kubernetes control-plane commands this module builds, so that `go mod tidy` keeps
// go.sum complete for them. The binaries are built by tools/real-cluster/src/build.mjs:
//
//	go build k8s.io/kubernetes/cmd/kube-apiserver (and kube-controller-manager, kube-scheduler)
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
)
