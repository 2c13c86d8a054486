// Command pulumi-language-nodejs is scimops' own minimal Node.js language host for the Pulumi CLI.
//
// The official host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not
// served by the Go module proxy we can reach, so this program implements the part of the
// pulumirpc.LanguageRuntime gRPC service that `pulumi preview/up/refresh/destroy` need for TypeScript
// programs: it starts a gRPC server, prints its port on stdout (that is how the engine finds it), and
// runs programs by launching `node <@pulumi/pulumi/cmd/run> ...` from the program's node_modules.
// See README.md in scripts/pulumi-build.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

func main() {
	// The engine launches language plugins as
	//   pulumi-language-nodejs [--logtostderr] [-v=N] [--tracing URL] <engine-address>
	// Extra flags accepted for compatibility with how the upstream host is sometimes invoked.
	// --logtostderr and -v are registered on flag.CommandLine by glog, which the sdk's logging
	// package imports; logging.InitLogging reads them after flag.Parse.
	var (
		tracing    string
		logFlow    bool
		root       string
		typescript bool
		nodeargs   string
		tsconfig   string
	)
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	if flag.Lookup("logflow") == nil {
		flag.BoolVar(&logFlow, "logflow", false, "Flow logging settings to child processes")
	}
	flag.StringVar(&root, "root", "", "Project root path (unused; the engine sends ProgramInfo)")
	flag.BoolVar(&typescript, "typescript", true, "Default for the `typescript` runtime option")
	flag.StringVar(&nodeargs, "nodeargs", "", "Default for the `nodeargs` runtime option")
	flag.StringVar(&tsconfig, "tsconfig", "", "Default for the `tsconfig` runtime option")
	flag.Parse()

	logging.InitLogging(false, 0, logFlow)
	cmdutil.InitTracing("pulumi-language-nodejs", "pulumi-language-nodejs", tracing)

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	host := newHost(engineAddress, tracing, nodeOptions{
		typescript:   typescript,
		nodeargs:     nodeargs,
		tsconfigPath: tsconfig,
	})

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}

	// The engine reads the port from our first line of stdout.
	fmt.Fprintf(os.Stdout, "%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}
