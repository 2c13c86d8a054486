package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	// Module (resolved from the program directory) that bootstraps a Pulumi Node.js program.
	defaultRunModule = "@pulumi/pulumi/cmd/run"
	// Environment variables read by @pulumi/pulumi's runtime (runtime/config.js, cmd/run/run.js).
	envConfig           = "PULUMI_CONFIG"
	envConfigSecretKeys = "PULUMI_CONFIG_SECRET_KEYS"
	envTypeScript       = "PULUMI_NODEJS_TYPESCRIPT"
	envTSConfigPath     = "PULUMI_NODEJS_TSCONFIG_PATH"
	// Exit code used by @pulumi/pulumi's cmd/run when it has already reported the error to the engine
	// (cmd/run/index.js: nodeJSProcessExitedAfterLoggingUserActionableMessage).
	exitCodeErrorAlreadyReported = 32
	sdkMissingMessage            = "It looks like the Pulumi SDK has not been installed. " +
		"Have you run npm install or yarn install?"
)

// nodeOptions are the `runtime.options` of a nodejs Pulumi.yaml that this host honours.
type nodeOptions struct {
	typescript   bool   // run the program through ts-node (default true)
	tsconfigPath string // passed to the SDK as PULUMI_NODEJS_TSCONFIG_PATH
	nodeargs     string // extra arguments for node, shell-split
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string
	defaults      nodeOptions

	cancelCtx  context.Context
	cancelFunc context.CancelFunc
}

func newHost(engineAddress, tracing string, defaults nodeOptions) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{
		engineAddress: engineAddress,
		tracing:       tracing,
		defaults:      defaults,
		cancelCtx:     ctx,
		cancelFunc:    cancel,
	}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake records the engine address (only sent when the engine attaches to an already running host).
func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if addr := req.GetEngineAddress(); addr != "" {
		h.mu.Lock()
		h.engineAddress = addr
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// Cancel stops any program this host is running (SIGINT, then SIGKILL after a grace period).
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelFunc()
	return &emptypb.Empty{}, nil
}

// programInfo returns the request's ProgramInfo, falling back to the deprecated pwd/program fields.
func programInfo(info *pulumirpc.ProgramInfo, pwd, program string) *pulumirpc.ProgramInfo {
	if info == nil {
		info = &pulumirpc.ProgramInfo{RootDirectory: pwd, ProgramDirectory: pwd, EntryPoint: program}
	}
	if info.EntryPoint == "" {
		info.EntryPoint = "."
	}
	if info.ProgramDirectory == "" {
		if wd, err := os.Getwd(); err == nil {
			info.ProgramDirectory = wd
		}
	}
	return info
}

func (h *host) options(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := h.defaults
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := m["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("tsconfig option must be a string")
		}
		opts.tsconfigPath = s
	}
	if v, ok := m["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("nodeargs option must be a string")
		}
		opts.nodeargs = s
	}
	return opts, nil
}

// resolveModule asks node where `mod` resolves to, as seen from dir.
func resolveModule(ctx context.Context, nodeBin, dir, mod string) (string, error) {
	cmd := exec.CommandContext(ctx, nodeBin, "-e", "process.stdout.write(require.resolve(process.argv[1]))", mod)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s (resolving %s from %s: %v: %s)",
			sdkMissingMessage, mod, dir, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// Run executes a Pulumi program with `node @pulumi/pulumi/cmd/run ...`.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := programInfo(req.GetInfo(), req.GetPwd(), req.GetProgram())

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}

	opts, err := h.options(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	runModule := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runModule == "" {
		runModule = defaultRunModule
	}
	runPath, err := resolveModule(ctx, nodeBin, info.ProgramDirectory, runModule)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	configJSON, err := marshalConfig(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration: " + err.Error()}, nil
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration secret keys: " + err.Error()}, nil
	}

	nodeArgs, err := shlex.Split(opts.nodeargs)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "invalid nodeargs option: " + err.Error()}, nil
	}
	args := append(nodeArgs, runPath)
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	// The program talks to the engine's resource monitor directly. (Upstream interposes a proxy only to
	// serve the legacy synchronous-invoke pipes, which @pulumi/pulumi 3.x no longer uses.)
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engine())
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.RootDirectory)
	add("stack", req.GetStack())
	add("pwd", info.ProgramDirectory)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	args = append(args, info.EntryPoint)
	args = append(args, req.GetArgs()...)

	env := append(os.Environ(),
		envConfig+"="+configJSON,
		envConfigSecretKeys+"="+string(secretKeysJSON),
	)
	env = append(env, opts.typescriptEnv()...)

	logging.V(5).Infof("language host launching: %s %s", nodeBin, strings.Join(args, " "))

	// Stop the program if the engine cancels the request or calls Cancel.
	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	stop := context.AfterFunc(ctx, cmdCancel)
	defer stop()

	cmd := nodeCommand(cmdCtx, nodeBin, args, info.ProgramDirectory, env)
	// Wrapping the writers makes exec copy through pipes instead of handing node our own file
	// descriptors; node may switch its stdio to non-blocking mode, which must not leak back to us.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	runErr := cmd.Run()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	if runErr == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(runErr, &exitErr) {
		switch code := exitErr.ExitCode(); code {
		case exitCodeErrorAlreadyReported:
			// The SDK already logged the error through the engine: stop without adding a message.
			return &pulumirpc.RunResponse{Bail: true}, nil
		case -1, 0:
			return &pulumirpc.RunResponse{Error: "Program exited unexpectedly: " + exitErr.Error()}, nil
		default:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
		}
	}
	return &pulumirpc.RunResponse{
		Error: "Problem executing program (could not run language executor): " + runErr.Error(),
	}, nil
}

// marshalConfig serializes config for PULUMI_CONFIG. Keys are written in the `<ns>:config:<name>` form
// that every @pulumi/pulumi version understands (newer versions normalize it back to `<ns>:<name>`).
func marshalConfig(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// InstallDependencies does not install anything: scimops installs node_modules with `npm ci` itself.
// It only warns when the SDK cannot be found, so `pulumi install` / `pulumi new` still succeed.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	info := programInfo(req.GetInfo(), req.GetDirectory(), "")
	nodeBin, err := exec.LookPath("node")
	if err == nil {
		_, err = resolveModule(server.Context(), nodeBin, info.ProgramDirectory, defaultRunModule)
	}
	if err != nil {
		msg := "pulumi-language-nodejs (scimops): dependencies are not installed by this language host; " +
			"run `npm ci` in " + info.ProgramDirectory + "\n"
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: []byte(msg)})
	}
	return nil
}

func (h *host) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, nodeBin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("failed to get node version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "scimops pulumi-language-nodejs"},
	}, nil
}

// typescriptEnv is what tells @pulumi/pulumi's run script to compile TypeScript, and with which tsconfig.
func (o nodeOptions) typescriptEnv() []string {
	var env []string
	if o.typescript {
		env = append(env, envTypeScript+"=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, envTSConfigPath+"="+o.tsconfigPath)
	}
	return env
}

// nodeCommand runs node in dir with env; cancelling ctx interrupts it first (so Pulumi's SDK can flush),
// and kills it if it has not exited 5 s later.
func nodeCommand(ctx context.Context, nodeBin string, args []string, dir string, env []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}
