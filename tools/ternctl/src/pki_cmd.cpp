// ternctl pki: a thin CLI over common's Pki.
#include "pki_cmd.h"

#include <ctime>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "tern/common/pki.h"

namespace tern::tools {
namespace {
constexpr const char* kReload =
    "Now send the broker SIGHUP so it re-reads the ACL and the CRL: systemctl reload mosquitto "
    "(or kill -HUP <mosquitto pid>).";

std::string Date(int64_t t) {
  const time_t secs = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

void PrintFiles(const Pki& p, const PkiEntry& e, crypto::Role role) {
  const PkiPaths f = p.Paths(e.name, role);
  std::cout << "  certificate " << f.cert << "\n"
            << "  key         " << f.key << " (keep it secret; copy it to the node only)\n"
            << "  CA          " << f.ca << "\n";
  if (role != crypto::Role::kBroker) {
    std::cout << "On the node (tern-core / tern-edge config):\n"
              << "  tls.ca = " << f.ca << "\n  tls.cert = " << f.cert << "\n  tls.key = " << f.key
              << "\n";
  }
}

int Init(const PkiCmdArgs& a) {
  PkiInit init;
  init.site = a.site;
  init.prefix = a.prefix;
  init.ca_days = a.ca_days;
  init.broker_alt_names = a.sans;
  init.broker.port = a.port;
  init.broker.bind = a.bind;
  init.broker.user = a.user;
  init.broker.extra_lines = a.conf_lines;
  auto p = Pki::Init(a.dir, init);
  if (!p.ok()) return FailIn("pki", p.status());
  std::cout << "created the PKI of site '" << a.site << "' in " << p->dir() << "\n"
            << "  CA          " << p->dir() << "/ca.crt (key ca.key, mode 0600: keep it offline "
            << "if you can)\n";
  PrintFiles(*p, p->List().back(), crypto::Role::kBroker);
  std::cout << "  broker      " << p->dir() << "/mosquitto.conf (TLS on port " << a.port
            << ", certificates required, ACL " << p->dir() << "/acl)\n"
            << "Next: ternctl pki issue core --role core --dir " << a.dir
            << ", then one per site box (--role edge).\n";
  return 0;
}

int Issue(const PkiCmdArgs& a) {
  auto role = crypto::ParseRole(a.role);
  if (!role.ok()) return FailIn("pki", role.status());
  auto p = Pki::Open(a.dir);
  if (!p.ok()) return FailIn("pki", p.status());
  auto e = p->Issue(a.name, *role, a.days, a.sans);
  if (!e.ok()) return FailIn("pki", e.status());
  std::cout << "issued " << e->name << " (" << e->role << "), serial " << e->serial
            << ", valid until " << Date(e->not_after) << "\n";
  PrintFiles(*p, *e, *role);
  std::cout << kReload << "\n";
  return 0;
}

int Revoke(const PkiCmdArgs& a) {
  auto p = Pki::Open(a.dir);
  if (!p.ok()) return FailIn("pki", p.status());
  auto e = p->Revoke(a.name);
  if (!e.ok()) return FailIn("pki", e.status());
  std::cout << "revoked " << e->name << " (" << e->role << "), serial " << e->serial
            << "; crl.pem and acl rewritten\n"
            << kReload << "\n"
            << "The core refuses the revoked certificate at the node's next registration; "
            << "issue a new one with: ternctl pki issue " << e->name << " --role " << e->role
            << "\n";
  return 0;
}

int List(const PkiCmdArgs& a) {
  auto p = Pki::Open(a.dir);
  if (!p.ok()) return FailIn("pki", p.status());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (a.json) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& e : p->List()) {
      all.push_back({{"name", e.name},
                     {"role", e.role},
                     {"serial", e.serial},
                     {"fingerprint", e.fingerprint},
                     {"not_after", e.not_after},
                     {"revoked", e.revoked},
                     {"expired", e.not_after <= now}});
    }
    std::cout << all.dump() << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(20) << "NAME" << std::setw(10) << "ROLE" << std::setw(18)
            << "SERIAL" << std::setw(22) << "NOT AFTER" << std::setw(10) << "STATE"
            << "FINGERPRINT (SHA-256)\n";
  for (const auto& e : p->List()) {
    const char* state = e.revoked ? "revoked" : e.not_after <= now ? "expired" : "valid";
    std::cout << std::left << std::setw(20) << e.name << std::setw(10) << e.role << std::setw(18)
              << e.serial << std::setw(22) << Date(e.not_after) << std::setw(10) << state
              << e.fingerprint.substr(0, 16) << "...\n";
  }
  return 0;
}
}  // namespace

void AddPkiCommands(CLI::App& app, PkiCmdArgs* a) {
  a->cmd = app.add_subcommand("pki", "the site PKI: CA, node certificates, CRL, broker ACL");
  a->cmd->require_subcommand(1);
  auto dir = [a](CLI::App* c) {
    c->add_option("--dir", a->dir, "the PKI directory")->capture_default_str();
  };
  a->init = a->cmd->add_subcommand("init",
                                   "create the site CA, the broker's certificate, "
                                   "crl.pem, acl and mosquitto.conf");
  dir(a->init);
  a->init->add_option("--site", a->site, "site name (the CA is '<site> CA')")
      ->capture_default_str();
  a->init->add_option("--prefix", a->prefix, "topic prefix the ACL is written for")
      ->capture_default_str();
  a->init->add_option("--port", a->port, "the broker's TLS port")->capture_default_str();
  a->init->add_option("--bind", a->bind, "the broker's listen address (default: all)");
  a->init->add_option("--san", a->sans, "extra subjectAltName of the broker: DNS:host or IP:addr");
  a->init->add_option("--user", a->user, "`user` line of mosquitto.conf (see docs/security.md)");
  a->init->add_option("--conf-line", a->conf_lines, "a line appended to mosquitto.conf");
  a->init->add_option("--ca-days", a->ca_days, "CA validity in days")->capture_default_str();

  a->issue = a->cmd->add_subcommand("issue", "a certificate and key for a node (CN = name)");
  dir(a->issue);
  a->issue->add_option("name", a->name, "node name (its node.name)")->required();
  a->issue->add_option("--role", a->role, "core, edge, observer, feed or broker")->required();
  a->issue->add_option("--days", a->days, "validity in days")->capture_default_str();
  a->issue->add_option("--san", a->sans, "subjectAltName (DNS:host or IP:addr)");

  a->revoke = a->cmd->add_subcommand("revoke", "revoke a node's certificate (CRL and ACL)");
  dir(a->revoke);
  a->revoke->add_option("name", a->name, "node name")->required();

  a->list = a->cmd->add_subcommand("list", "every certificate issued");
  dir(a->list);
  a->list->add_flag("--json", a->json, "one JSON array");
}

int RunPkiCommand(const PkiCmdArgs& a) {
  if (!a.cmd || !*a.cmd) return -1;
  if (*a.init) return Init(a);
  if (*a.issue) return Issue(a);
  if (*a.revoke) return Revoke(a);
  return List(a);
}

}  // namespace tern::tools
