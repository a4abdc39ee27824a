// edgesyncctl: the command line of edgesync, on the client SDK. Each command group lives in its own
// file; this file parses, runs, and turns errors into messages and exit codes.
#include <iostream>

#include "client/ctl/context.hpp"

using namespace edgesync;

namespace {

int exit_code_of(const client::Error& error) {
  switch (error.kind()) {
    case client::ErrorKind::kHttp:
      if (error.http_status() == 404) return ctl::kNotFound;
      if (error.http_status() == 401 || error.http_status() == 403) return ctl::kForbidden;
      if (error.http_status() >= 500) return ctl::kServerError;
      return ctl::kRejected;
    case client::ErrorKind::kTransport:
    case client::ErrorKind::kStopped: return ctl::kUnreachable;
    case client::ErrorKind::kProtocol: return ctl::kServerError;
    case client::ErrorKind::kInvalidInput: return ctl::kLocalError;
  }
  return ctl::kServerError;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"edgesyncctl: publish, inspect and follow objects on an edgesync cloud or edge node"};
  app.footer(ctl::exit_codes_help());
  app.require_subcommand(1);
  ctl::Context context;
  ctl::add_global_options(app, context.settings);
  ctl::add_object_commands(app, context);
  ctl::add_webhook_commands(app, context);
  ctl::add_node_commands(app, context);
  ctl::add_acl_commands(app, context);
  ctl::add_health_command(app, context);
  ctl::add_watch_command(app, context);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return ctl::kUsage;
  } catch (const client::Error& error) {
    context.finish_progress();
    std::cerr << "edgesyncctl: " << error.what() << "\n";
    return exit_code_of(error);
  } catch (const std::exception& error) {
    std::cerr << "edgesyncctl: " << error.what() << "\n";
    return ctl::kLocalError;
  }
  return ctl::kOk;
}
