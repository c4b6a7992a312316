// Command terraform-provider-payme serves the Pay-me provider to Terraform and
// OpenTofu over the plugin protocol.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/payme-community/terraform-provider-payme/internal/loglevel"
	"github.com/payme-community/terraform-provider-payme/internal/provider"
)

// version is set at release time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "Start the provider in debug mode, for debuggers such as delve.")
	flag.Parse()
	// A debugging session wants every log line.
	if !debug {
		loglevel.Match()
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/payme-community/payme",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
