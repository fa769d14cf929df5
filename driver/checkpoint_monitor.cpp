// CheckpointMonitor: runs per checkpoint block in memory, completion, the analysis thread.
#include "driver/checkpoint_monitor.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "text/number_text.hpp"
#include "text/strings.hpp"

namespace tmex::driver {

namespace {

constexpr unsigned kNoBlock = std::numeric_limits<unsigned>::max();

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// A mean difference's half-width (NaN without an interval) and its detail: "-0.24 [-0.26,
// -0.22] on 2000 paired samples".
struct DifferenceText {
  double halfwidth;
  std::string detail;
};

DifferenceText difference_text(const analysis::DifferenceCheck& d) {
  const auto brief = [](double v) { return text::format_number(v, text::NumberStyle::kBrief); };
  const std::string samples = " on " + std::to_string(d.samples) + " paired samples";
  if (!std::isfinite(d.halfwidth)) {
    return {std::nan(""), "no interval: fewer than 2 paired samples" + samples};
  }
  return {d.halfwidth, brief(d.mean) + " [" + brief(d.low) + ", " + brief(d.high) + "]" + samples};
}

bool ends_campaign(const std::string& decision) {
  return decision == "converged" || decision == "cap";
}

}  // namespace

std::uint64_t checkpoint_runs(const CampaignConfig& config, unsigned c) {
  // Run ids number (sample, arm, replicate): the runs of a checkpoint's samples under every arm.
  return config.convergence->checkpoint_size(c) * config.design->group_size() *
         config.numbering().runs_per_sample();
}

const char* checkpoint_unit(const CampaignConfig& config) {
  return config.design_spec.method == "saltelli" ? "base rows" : "samples";
}

std::optional<storage::CheckRecord> final_check(const std::vector<storage::CheckRecord>& checks) {
  if (checks.empty() || !ends_campaign(checks.back().decision)) return std::nullopt;
  return checks.back();
}

std::optional<ConvergenceChange> convergence_change(const CampaignConfig& config,
                                                    const storage::CampaignMeta& stored,
                                                    const std::vector<std::string>& diff) {
  if (!config.convergence || diff.empty() ||
      stored.config.find("convergence.start: ") == std::string::npos) {
    return std::nullopt;
  }
  ConvergenceChange change;
  for (const auto& d : diff) {
    const std::string key = d.substr(0, d.find(": "));
    if (key == "campaign.samples" || key == "design") {
      change.cap = true;
    } else if (key == "convergence.halfwidth" || key == "convergence.stable_top" ||
               key == "convergence.outputs" || key == "convergence.contrasts" ||
               key == "convergence.difference") {
      change.criteria = true;
    } else {
      return std::nullopt;
    }
  }
  if (change.cap) {
    // The stored design must be this one at the stored size: the same points, fewer of them.
    const std::uint64_t group = config.design->group_size();
    if (stored.samples % group != 0 || stored.samples / group >= config.samples)
      return std::nullopt;
    sampling::DesignSpec spec = config.design_spec;
    spec.samples = stored.samples / group;
    try {
      if (sampling::make_design(spec, config.parameters.size())->describe() != stored.design) {
        return std::nullopt;
      }
    } catch (const sampling::DesignError&) {
      return std::nullopt;
    }
  }
  return change;
}

struct CheckpointMonitor::Block {
  std::uint64_t begin = 0, end = 0;  ///< run ids [begin, end)
  std::vector<double> values;        ///< (end - begin) x columns, column-major
  std::vector<std::uint8_t> ok, present;
  std::uint64_t count = 0;  ///< runs present
};

CheckpointMonitor::CheckpointMonitor(const CampaignConfig& config, analysis::CampaignInfo campaign,
                                     const std::vector<storage::CheckRecord>& recorded,
                                     CheckRecorder recorder)
    : config_(config), campaign_(std::move(campaign)), recorder_(std::move(recorder)) {
  const ConvergenceConfig& cc = *config.convergence;
  rule_.measure = cc.method;
  rule_.outputs = cc.outputs;
  rule_.criteria = cc.criteria;
  rule_.judge_halfwidth = cc.judge_halfwidth;
  rule_.judge_stable_top = cc.judge_stable_top;
  rule_.contrasts = cc.contrasts;
  rule_.difference = cc.difference;
  rule_.seed = config.seed;
  numbering_ = config.numbering();
  for (const auto& p : config.parameters) columns_.push_back(p.name);
  for (const auto& o : cc.outputs) {
    columns_.push_back(o);
    output_slots_.push_back(static_cast<std::size_t>(
        std::find(config.outputs.begin(), config.outputs.end(), o) - config.outputs.begin()));
  }
  for (unsigned c = 0; c <= cc.levels; ++c) ends_.push_back(checkpoint_runs(config, c));
  blocks_.resize(ends_.size());
  // The checks of earlier sessions, as far as they are contiguous from the first.
  for (const auto& r : recorded) {
    if (r.checkpoint != next_ || finished_) break;
    ++next_;
    if (ends_campaign(r.decision)) {
      finished_ = true;
      final_ = r;
      converged_ = r.decision == "converged";
    }
  }
  const auto last = static_cast<int>(cc.levels);
  horizon_ = finished_ ? ends_[static_cast<std::size_t>(next_ - 1)]
                       : ends_[static_cast<std::size_t>(std::min(next_ + 1, last))];
}

CheckpointMonitor::~CheckpointMonitor() { stop(); }

unsigned CheckpointMonitor::block_of(std::uint64_t task) const {
  const auto it = std::upper_bound(ends_.begin(), ends_.end(), task);
  return it == ends_.end() ? kNoBlock : static_cast<unsigned>(it - ends_.begin());
}

void CheckpointMonitor::store_value(std::uint64_t task, bool ok, std::span<const double> parameters,
                                    std::span<const double> outputs) {
  const unsigned b = block_of(task);
  if (b == kNoBlock) return;
  auto& block = blocks_[b];
  if (!block) {
    block = std::make_unique<Block>();
    block->begin = b == 0 ? 0 : ends_[b - 1];
    block->end = ends_[b];
    const auto rows = static_cast<std::size_t>(block->end - block->begin);
    block->values.assign(rows * columns_.size(), std::nan(""));
    block->ok.assign(rows, 0);
    block->present.assign(rows, 0);
  }
  const auto row = static_cast<std::size_t>(task - block->begin);
  if (block->present[row]) return;
  const std::size_t rows = block->ok.size();
  std::size_t c = 0;
  for (const double v : parameters) block->values[c++ * rows + row] = v;
  for (const double v : outputs) block->values[c++ * rows + row] = v;
  block->ok[row] = ok ? 1 : 0;
  block->present[row] = 1;
  ++block->count;
}

void CheckpointMonitor::advance_complete() {
  while (complete_ + 1 < static_cast<int>(blocks_.size())) {
    const auto& block = blocks_[static_cast<std::size_t>(complete_ + 1)];
    if (!block || block->count != block->end - block->begin) break;
    ++complete_;
  }
  if (complete_ >= next_) cv_.notify_all();
}

void CheckpointMonitor::load(const storage::RunColumns& stored) {
  std::lock_guard lock(mutex_);
  const std::size_t k = config_.parameters.size();
  std::vector<double> parameters(k), outputs(output_slots_.size());
  for (std::size_t i = 0; i < stored.rows; ++i) {
    for (std::size_t c = 0; c < k; ++c) parameters[c] = stored.values[c * stored.rows + i];
    for (std::size_t o = 0; o < outputs.size(); ++o) {
      outputs[o] = stored.values[(k + o) * stored.rows + i];
    }
    const std::uint64_t task = numbering_.id(
        stored.sample[i], stored.arm.empty() ? 0u : stored.arm[i], stored.replicate[i]);
    store_value(task, stored.ok[i] != 0, parameters, outputs);
  }
  advance_complete();
}

void CheckpointMonitor::committed(std::span<const storage::RunRecord> runs) {
  std::lock_guard lock(mutex_);
  std::vector<double> outputs(output_slots_.size());
  for (const storage::RunRecord& r : runs) {
    for (std::size_t o = 0; o < output_slots_.size(); ++o) {
      outputs[o] = output_slots_[o] < r.outputs.size() ? r.outputs[output_slots_[o]] : std::nan("");
    }
    store_value(numbering_.id(r.sample, r.arm, r.replicate), r.status == "ok", r.parameters,
                outputs);
  }
  advance_complete();
}

void CheckpointMonitor::start() {
  thread_ = std::thread([this] { thread_main(); });
}

void CheckpointMonitor::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

CheckpointMonitor::Missing CheckpointMonitor::first_incomplete() const {
  std::lock_guard lock(mutex_);
  const auto b = static_cast<std::size_t>(complete_ + 1);
  if (b >= blocks_.size()) return {};
  Missing m;
  m.begin = b == 0 ? 0 : ends_[b - 1];
  m.end = ends_[b];
  m.missing = m.end - m.begin - (blocks_[b] ? blocks_[b]->count : 0);
  return m;
}

bool CheckpointMonitor::settled_locked() const {
  return finished_ || error_ || (!busy_ && next_ > complete_);
}

bool CheckpointMonitor::settled() const {
  std::lock_guard lock(mutex_);
  return settled_locked();
}

void CheckpointMonitor::wait_settled() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return settled_locked() || stopping_; });
}

void CheckpointMonitor::check() const {
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
}

std::optional<storage::CheckRecord> CheckpointMonitor::final_check() const {
  std::lock_guard lock(mutex_);
  return final_;
}

int CheckpointMonitor::checks_made() const {
  std::lock_guard lock(mutex_);
  return checks_made_;
}

double CheckpointMonitor::analysis_cpu_s() const {
  std::lock_guard lock(mutex_);
  return cpu_s_;
}

double CheckpointMonitor::analysis_wall_s() const {
  std::lock_guard lock(mutex_);
  return wall_s_;
}

analysis::RunTable CheckpointMonitor::table_of_checkpoint(unsigned c) const {
  // Blocks 0..c are complete: nothing writes to them any more (a run is stored once).
  analysis::RunTable t;
  t.columns = columns_;
  t.rows = static_cast<std::size_t>(ends_[c]);
  t.values.reserve(t.rows * columns_.size());
  for (std::size_t col = 0; col < columns_.size(); ++col) {
    for (unsigned b = 0; b <= c; ++b) {
      const Block& block = *blocks_[b];
      const std::size_t rows = block.ok.size();
      const auto first = block.values.begin() + static_cast<std::ptrdiff_t>(col * rows);
      t.values.insert(t.values.end(), first, first + static_cast<std::ptrdiff_t>(rows));
    }
  }
  const std::uint64_t group = config_.design->group_size();
  t.sample.reserve(t.rows);
  const bool arms = !config_.arms.empty();
  for (std::uint64_t task = 0; task < ends_[c]; ++task) {
    const std::uint64_t sample = numbering_.sample(task);
    t.sample.push_back(sample);
    t.replicate.push_back(numbering_.replicate(task));
    if (arms) t.arm.push_back(numbering_.arm(task));
    // The Saltelli layout: a run's place in its base row.
    t.block.push_back(group > 1 ? static_cast<std::int64_t>(sample % group) : 0);
  }
  for (unsigned b = 0; b <= c; ++b)
    t.ok.insert(t.ok.end(), blocks_[b]->ok.begin(), blocks_[b]->ok.end());
  return t;
}

storage::CheckRecord CheckpointMonitor::record_of(const analysis::CheckpointCheck& check,
                                                  double seconds) const {
  storage::CheckRecord r;
  r.checkpoint = static_cast<int>(check.checkpoint);
  r.samples = check.size;
  r.runs = ends_[check.checkpoint];
  r.rows_used = check.rows;
  r.summary = check.summary;
  r.seconds = seconds;
  const double nan = std::nan("");
  for (const auto& o : check.outputs) {
    if (!check.error.empty()) break;
    const auto criterion = [&](std::string name, double value, double target, bool met,
                               std::string detail) {
      r.criteria.push_back(
          {o.output, std::move(name), value, target, met, std::move(detail), o.contrast});
    };
    if (o.difference.judged) {
      const DifferenceText d = difference_text(o.difference);
      criterion("difference", d.halfwidth, o.difference.target, o.difference.met, d.detail);
    }
    if (o.judge_halfwidth) {
      criterion("halfwidth", o.halfwidths.row >= 0 ? o.halfwidths.largest : nan,
                rule_.criteria.halfwidth, o.halfwidths.met,
                o.halfwidths.row >= 0 ? o.widest : "no interval excludes 0");
    }
    if (o.judge_stable_top) {
      std::string order = o.top.empty() ? "none significant" : text::join(o.top);
      if (check.previous_size == 0) {
        order += " (the first checkpoint)";
      } else if (o.before != o.top) {
        order += " (at " + std::to_string(check.previous_size) + ": " +
                 (o.before.empty() ? std::string("none") : text::join(o.before)) + ")";
      }
      criterion("stable_top", static_cast<double>(o.ranked),
                static_cast<double>(rule_.criteria.stable_top), o.top_stable, order);
    }
    if ((o.judge_halfwidth || o.judge_stable_top) && !o.defined) {
      criterion("defined", nan, nan, false,
                o.contrast.empty() ? "an index is not a number (is " + o.output + " constant?)"
                                   : "a PRCC of the paired difference is not a number (is the "
                                     "difference of " +
                                         o.output + " constant?)");
    }
  }
  return r;
}

void CheckpointMonitor::thread_main() {
  const auto last = static_cast<int>(ends_.size()) - 1;
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || (!finished_ && next_ <= complete_); });
    if (stopping_) return;
    const auto c = static_cast<unsigned>(next_);
    busy_ = true;
    lock.unlock();
    try {
      const auto wall_start = std::chrono::steady_clock::now();
      const double cpu_start = thread_cpu_s();
      const analysis::RunTable table = table_of_checkpoint(c);
      const ConvergenceConfig& cc = *config_.convergence;
      const analysis::CheckpointCheck check =
          analysis::check_checkpoint(campaign_, table, c, cc.checkpoint_size(c),
                                     c == 0 ? 0 : cc.checkpoint_size(c - 1), rule_);
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      const double cpu = thread_cpu_s() - cpu_start;
      storage::CheckRecord record = record_of(check, wall);
      record.decision = check.met ? "converged" : static_cast<int>(c) == last ? "cap" : "continue";
      std::fprintf(stderr, "tmex: checkpoint %u (%llu %s, %llu runs): %s; %s (analysis %.2f s)\n",
                   c, static_cast<unsigned long long>(record.samples), checkpoint_unit(config_),
                   static_cast<unsigned long long>(record.runs), record.decision.c_str(),
                   record.summary.c_str(), wall);
      const bool converged = record.decision == "converged";
      // Recorded (queued for the writer) before the dispatch learns of it: results that arrive
      // after a convergence are then always dropped with the runs beyond it.
      recorder_(record, converged ? std::optional<std::uint64_t>(record.runs) : std::nullopt);
      lock.lock();
      ++checks_made_;
      cpu_s_ += cpu;
      wall_s_ += wall;
      ++next_;
      if (ends_campaign(record.decision)) {
        finished_ = true;
        final_ = record;
        horizon_ = record.runs;
        converged_ = converged;
      } else {
        horizon_ = ends_[static_cast<std::size_t>(std::min(next_ + 1, last))];
      }
    } catch (...) {
      lock.lock();
      error_ = std::current_exception();
      busy_ = false;
      cv_.notify_all();
      return;
    }
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace tmex::driver
