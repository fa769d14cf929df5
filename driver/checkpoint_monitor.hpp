// A campaign that stops itself: its checkpoints, its runs in memory on rank 0, and the analysis
// thread that checks each checkpoint once it is complete and committed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "analysis/campaign.hpp"
#include "analysis/checkpoint_check.hpp"
#include "driver/campaign_config.hpp"
#include "storage/campaign_store.hpp"
#include "storage/run_reader.hpp"

namespace tmex::driver {

/// The runs of checkpoint c of a campaign with convergence (c <= levels): its run ids are those
/// below this (every run of its samples, or of its base rows' samples, and their replicates).
std::uint64_t checkpoint_runs(const CampaignConfig& config, unsigned c);

/// "samples" or "base rows": the unit of a campaign's checkpoint sizes.
const char* checkpoint_unit(const CampaignConfig& config);

/// The last recorded check when it ended the campaign ("converged" or "cap"), else nullopt.
std::optional<storage::CheckRecord> final_check(const std::vector<storage::CheckRecord>& checks);

/// How a campaign that stops itself differs from the one its store holds, when the store may
/// take it: a higher campaign.samples (more checkpoints, on the same nested points) and other
/// criteria (halfwidth, stable_top, outputs: its checks are made again from the stored runs).
struct ConvergenceChange {
  bool cap = false;       ///< campaign.samples is higher
  bool criteria = false;  ///< halfwidth, stable_top or outputs differ
};

/// The change `diff` (canonical_diff(stored, config)) describes, or nullopt when it is another
/// campaign: anything else differs, samples are fewer, or the stored design is not the one
/// `config` builds at the stored size.
std::optional<ConvergenceChange> convergence_change(const CampaignConfig& config,
                                                    const storage::CampaignMeta& stored,
                                                    const std::vector<std::string>& diff);

/// What the dispatch loop asks of a campaign that stops itself (driver/dispatch.hpp). All methods
/// are thread-safe.
class DispatchGate {
 public:
  virtual ~DispatchGate() = default;
  /// Runs with an id below this may be handed out now.
  virtual std::uint64_t horizon() const = 0;
  /// True once the campaign converged: no more work, and what is in flight is not needed.
  virtual bool converged() const = 0;
  /// True when every checkpoint whose runs are all committed has been checked.
  virtual bool settled() const = 0;
  /// Throws what failed on the analysis thread, if anything did.
  virtual void check() const = 0;
};

/// Where a check goes: the store's writer records it (with the runs at and above
/// `keep_runs_below` deleted when the campaign converged).
using CheckRecorder =
    std::function<void(storage::CheckRecord record, std::optional<std::uint64_t> keep_runs_below)>;

/// Rank 0's view of a campaign that stops itself. The store's writer thread hands it every
/// committed run (committed()); it keeps the values the stopping rule needs, per checkpoint block,
/// in memory, and when a checkpoint's runs are all committed its own thread checks it
/// (analysis::check_checkpoint on every run so far), records the decision through the recorder
/// and moves the horizon of the work that may be handed out: after checkpoint c continued, the
/// blocks of c + 1 and c + 2 (workers never wait for a check while a block is left). The
/// decision depends only on the runs of complete checkpoints, so it is the same at any rank
/// count and after any kill; a check that was not recorded before a crash is made again from
/// the same runs on resume.
class CheckpointMonitor final : public DispatchGate {
 public:
  /// `recorded`: the checks the store holds (made by earlier sessions), in checkpoint order.
  CheckpointMonitor(const CampaignConfig& config, analysis::CampaignInfo campaign,
                    const std::vector<storage::CheckRecord>& recorded, CheckRecorder recorder);
  ~CheckpointMonitor() override;
  CheckpointMonitor(const CheckpointMonitor&) = delete;
  CheckpointMonitor& operator=(const CheckpointMonitor&) = delete;

  /// The value columns the monitor keeps: every sampled parameter, then the outputs that must
  /// converge (what to read from a store for load()).
  const std::vector<std::string>& columns() const { return columns_; }
  /// Takes the runs stored before this session (columns() of every stored run). Call before
  /// start().
  void load(const storage::RunColumns& stored);
  /// Starts the analysis thread: it checks every complete checkpoint not yet checked, in order.
  void start();
  /// The runs just committed (the writer thread calls it after each commit). Thread-safe.
  void committed(std::span<const storage::RunRecord> runs);
  /// The runs the first incomplete checkpoint block still lacks: [begin, end) and how many of
  /// them are not committed (0 when every block is complete). The writer commits at once when
  /// its buffer holds them all, so that a check never waits for the commit interval.
  struct Missing {
    std::uint64_t begin = 0, end = 0, missing = 0;
  };
  Missing first_incomplete() const;
  /// Waits until settled() (every complete checkpoint checked), or the thread failed.
  void wait_settled();
  /// Ends the analysis thread (a check in progress is finished first). Idempotent.
  void stop() noexcept;

  std::uint64_t horizon() const override { return horizon_.load(); }
  bool converged() const override { return converged_.load(); }
  bool settled() const override;
  void check() const override;

  /// The check that ended the campaign ("converged" or "cap"), if one did.
  std::optional<storage::CheckRecord> final_check() const;
  /// Checks made by this session, and the analysis thread's CPU and wall seconds for them.
  int checks_made() const;
  double analysis_cpu_s() const;
  double analysis_wall_s() const;

 private:
  struct Block;

  // The block (checkpoint) of run id `task`, or kNoBlock at or beyond the last checkpoint.
  unsigned block_of(std::uint64_t task) const;
  // Keeps run `task`'s values in its block (once; a run is committed once).
  void store_value(std::uint64_t task, bool ok, std::span<const double> parameters,
                   std::span<const double> outputs);
  void advance_complete();      // with mutex_ held
  bool settled_locked() const;  // settled(), with mutex_ held
  void thread_main();
  analysis::RunTable table_of_checkpoint(unsigned c) const;
  storage::CheckRecord record_of(const analysis::CheckpointCheck& check, double seconds) const;

  const CampaignConfig& config_;
  analysis::CampaignInfo campaign_;
  analysis::StoppingRule rule_;
  CheckRecorder recorder_;
  std::vector<std::string> columns_;
  std::vector<std::size_t> output_slots_;  ///< stored-output index of each convergence output
  std::vector<std::uint64_t> ends_;        ///< run ids of each checkpoint (checkpoint_runs)
  storage::RunNumbering numbering_{};      ///< of run ids: (sample, arm, replicate)

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Block>> blocks_;
  int complete_ = -1;  ///< checkpoints 0..complete_ have every run committed
  int next_ = 0;       ///< the next checkpoint to check
  bool finished_ = false;
  bool stopping_ = false;
  bool busy_ = false;  ///< a check is running
  std::optional<storage::CheckRecord> final_;
  std::exception_ptr error_;
  int checks_made_ = 0;
  double cpu_s_ = 0.0, wall_s_ = 0.0;
  std::atomic<std::uint64_t> horizon_{0};
  std::atomic<bool> converged_{false};
  std::thread thread_;
};

}  // namespace tmex::driver
