package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

const (
	// Bootstraps a Node.js policy pack: `node <run-policy-pack> <engine-address> <pack directory>`
	// (@pulumi/pulumi cmd/run-policy-pack/index.js: "usage: RUN <engine-address> <program>").
	runPolicyPackModule = "@pulumi/pulumi/cmd/run-policy-pack"
	// Bootstraps a source-based plugin (PulumiPlugin.yaml): `node <run-plugin> <plugin directory> [args]`
	// (cmd/run-plugin/index.js: "usage: RUN <program>").
	runPluginModule = "@pulumi/pulumi/cmd/run-plugin"
	// RunPluginRequest.kind of a policy pack (apitype.AnalyzerPlugin).
	kindAnalyzer = "analyzer"
)

// streamWriter forwards a plugin's stdout or stderr to the engine as RunPluginResponse messages.
// gRPC streams allow one Send at a time, so both writers share one mutex.
type streamWriter struct {
	mu     *sync.Mutex
	server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	chunk := append([]byte(nil), p...)
	msg := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: chunk}}
	if w.stderr {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: chunk}}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.server.Send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

// pluginCommand returns node's arguments for a plugin of `kind` living in info.ProgramDirectory.
func pluginCommand(kind, runPath, programDir string, nodeArgs, reqArgs []string) []string {
	args := append(append([]string{}, nodeArgs...), runPath)
	if kind == kindAnalyzer {
		// The engine passes its own address; run-policy-pack then wants the pack to load.
		return append(append(args, reqArgs...), programDir)
	}
	return append(append(args, programDir), reqArgs...)
}

// RunPlugin runs a plugin written in Node.js from its source directory: a CrossGuard policy pack
// (PulumiPolicy.yaml, kind "analyzer") or a source-based provider (PulumiPlugin.yaml). The engine uses
// it for `--policy-pack DIR` whenever the nodejs language plugin is present, instead of the old
// `pulumi-analyzer-policy` shim. Output is streamed back as it comes; the last message is the exit code.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	ctx := server.Context()
	info := programInfo(req.GetInfo(), req.GetPwd(), "")

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	opts, err := h.options(info)
	if err != nil {
		return err
	}
	module := runPluginModule
	if req.GetKind() == kindAnalyzer {
		module = runPolicyPackModule
	}
	// Resolved from the plugin's own folder, so a pack with its own node_modules uses its own SDK, and
	// one inside a project uses the project's.
	runPath, err := resolveModule(ctx, nodeBin, info.ProgramDirectory, module)
	if err != nil {
		return err
	}
	nodeArgs, err := shlex.Split(opts.nodeargs)
	if err != nil {
		return fmt.Errorf("invalid nodeargs option: %w", err)
	}
	args := pluginCommand(req.GetKind(), runPath, info.ProgramDirectory, nodeArgs, req.GetArgs())

	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	env = append(env, opts.typescriptEnv()...)
	logging.V(5).Infof("language host running plugin: %s %s", nodeBin, strings.Join(args, " "))

	// ts-node (run-policy-pack/run.js) reads tsconfig.json from the working directory: the plugin's folder.
	cmd := nodeCommand(ctx, nodeBin, args, info.ProgramDirectory, env)
	var mu sync.Mutex
	cmd.Stdout = streamWriter{mu: &mu, server: server}
	cmd.Stderr = streamWriter{mu: &mu, server: server, stderr: true}

	code := int32(0)
	if runErr := cmd.Run(); runErr != nil {
		var exitErr *exec.ExitError
		if !errors.As(runErr, &exitErr) {
			return fmt.Errorf("could not run plugin %s: %w", info.ProgramDirectory, runErr)
		}
		code = int32(exitErr.ExitCode())
	}
	mu.Lock()
	defer mu.Unlock()
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}
