// `ternctl analyze`: CSV in, one JSON object out, through the same analysis code the core runs.
// The CSV has a header row (channel names) and one row per record, one column per channel;
// blank lines and lines starting with '#' are skipped. Output is deterministic.
#include "analyze.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tern/analysis/analysis.h"

namespace tern::tools {
namespace {

namespace an = tern::analysis;

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(Trim(cell));
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

Result<an::Matrix> ReadCsv(const std::string& path, std::vector<std::string>* names) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot open " + path);
  an::Matrix m;
  std::string line;
  size_t lineno = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto cells = SplitCsv(t);
    if (header) {
      *names = cells;
      m.cols = cells.size();
      header = false;
      continue;
    }
    if (cells.size() != m.cols) {
      return Status::InvalidArgument(path + ":" + std::to_string(lineno) + ": " +
                                     std::to_string(cells.size()) + " values, header has " +
                                     std::to_string(m.cols));
    }
    for (const auto& c : cells) {
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(c.c_str(), &end);
      if (c.empty() || end != c.c_str() + c.size() || errno == ERANGE) {
        return Status::InvalidArgument(path + ":" + std::to_string(lineno) + ": not a number: '" +
                                       c + "'");
      }
      m.v.push_back(v);
    }
    ++m.rows;
  }
  if (header) return Status::InvalidArgument(path + ": no header row");
  return m;
}

an::Matrix Slice(const an::Matrix& x, size_t first, size_t count) {
  an::Matrix s{count, x.cols, {}};
  s.v.assign(x.v.begin() + static_cast<std::ptrdiff_t>(first * x.cols),
             x.v.begin() + static_cast<std::ptrdiff_t>((first + count) * x.cols));
  return s;
}

Result<nlohmann::json> Run(const AnalyzeArgs& a) {
  std::vector<std::string> names;
  TERN_ASSIGN_OR_RETURN(an::Matrix x, ReadCsv(a.input, &names));
  nlohmann::json out = {
      {"processor", a.processor}, {"input", a.input}, {"rows", x.rows}, {"channels", names}};
  if (a.processor == "stats") {
    TERN_ASSIGN_OR_RETURN(auto windows, an::WindowStatistics(x, a.window));
    out["window"] = a.window == 0 ? x.rows : a.window;
    out["stddev"] = "population (sample_stddev: n-1)";
    nlohmann::json w = nlohmann::json::array();
    for (const auto& win : windows) w.push_back(an::ToJson(win));
    out["windows"] = w;
  } else if (a.processor == "zscore") {
    an::RunningZ state(x.cols, an::ZParams{a.threshold, a.warmup});
    TERN_ASSIGN_OR_RETURN(auto z, an::ZScore(x, state));
    out["threshold"] = a.threshold;
    out["warmup"] = a.warmup;
    out["anomalies"] = an::ToJson(z)["anomalies"];
    nlohmann::json fin = nlohmann::json::array();
    for (size_t c = 0; c < state.channels(); ++c) {
      fin.push_back({{"mean", state.mean(c)}, {"variance", state.variance(c)}});
    }
    out["final_state"] = {{"count", state.count()}, {"channels", fin}};
  } else {
    const an::MsmveParams p{a.m, a.tau, a.r, a.scales};
    const size_t window = a.window == 0 ? x.rows : a.window;
    nlohmann::json w = nlohmann::json::array();
    for (size_t first = 0; first < x.rows || (first == 0 && x.rows == 0); first += window) {
      const size_t n = std::min(window, x.rows - first);
      TERN_ASSIGN_OR_RETURN(auto res, an::Msmve(Slice(x, first, n), p));
      nlohmann::json j = an::ToJson(res);
      j["first_row"] = first;
      w.push_back(std::move(j));
      if (n == 0) break;
    }
    out["window"] = window;
    out["windows"] = w;
  }
  return out;
}

}  // namespace

void AddAnalyzeCommand(CLI::App& app, AnalyzeArgs* a) {
  a->cmd = app.add_subcommand("analyze", "run an analysis processor over a CSV file (offline)");
  a->cmd->add_option("processor", a->processor, "stats | zscore | msmve")
      ->required()
      ->check(CLI::IsMember({"stats", "zscore", "msmve"}));
  a->cmd->add_option("--input", a->input, "CSV: header row, one column per channel")->required();
  a->cmd->add_option("--window", a->window, "rows per window, 0 = whole input (stats, msmve)")
      ->capture_default_str();
  a->cmd->add_option("--threshold", a->threshold, "zscore: flag |z| > threshold")
      ->capture_default_str();
  a->cmd->add_option("--warmup", a->warmup, "zscore: rows before flags are raised")
      ->capture_default_str();
  a->cmd->add_option("--m", a->m, "msmve: embedding dimension, one value or one per channel")
      ->delimiter(',')
      ->capture_default_str();
  a->cmd->add_option("--tau", a->tau, "msmve: lag, one value or one per channel")
      ->delimiter(',')
      ->capture_default_str();
  a->cmd->add_option("--r", a->r, "msmve: tolerance factor (tolerance r*p)")->capture_default_str();
  a->cmd->add_option("--scales", a->scales, "msmve: scales 1..S")->capture_default_str();
  a->cmd->add_flag("--json", a->json, "one line of JSON (default: the same object, indented)");
}

int RunAnalyzeCommand(const AnalyzeArgs& a) {
  if (a.cmd == nullptr || !*a.cmd) return -1;
  auto out = Run(a);
  if (!out.ok()) {
    std::cerr << "ternctl analyze: " << out.status().ToString() << "\n";
    return 2;
  }
  std::cout << out->dump(a.json ? -1 : 2, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
  return 0;
}

}  // namespace tern::tools
