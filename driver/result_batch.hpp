// Work chunks and result batches: what workers and the master exchange (plain data).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tmex::driver {

/// A chunk of tasks (a task is a run id, storage::RunNumbering) as half-open ranges.
struct WorkChunk {
  std::uint64_t id = 0;
  std::vector<std::uint64_t> ranges;  ///< begin0, end0, begin1, end1, ...

  std::uint64_t task_count() const {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i + 1 < ranges.size(); i += 2) n += ranges[i + 1] - ranges[i];
    return n;
  }

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // clang-format off
    ar & id & ranges;
    // clang-format on
  }
};

/// Sent by the master to end a worker's loop; `chunks_sent` lets the worker receive every
/// chunk still in flight before it exits.
struct StopOrder {
  std::uint64_t chunks_sent = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // clang-format off
    ar & chunks_sent;
    // clang-format on
  }
};

/// Results of (part of) one chunk, column-wise so that it serialises as a few arrays.
struct ResultBatch {
  std::uint64_t chunk_id = 0;
  int rank = 0;
  bool final = false;        ///< the worker sends nothing after this
  bool interrupted = false;  ///< the worker stopped because it caught a signal
  std::vector<std::uint64_t> tasks;
  std::vector<std::int64_t> blocks;
  std::vector<std::uint8_t> status;     ///< models::EvalStatus
  std::vector<std::uint16_t> attempts;  ///< evaluations made (1 + retries)
  std::vector<double> parameters;       ///< tasks x sampled parameters, row-major
  std::vector<double> outputs;          ///< tasks x stored outputs, row-major
  std::vector<double> trajectories;     ///< tasks x trajectory values, row-major
  std::vector<double> elapsed_s;
  std::vector<std::uint32_t> error_rows;  ///< row of each error text
  std::vector<std::string> error_texts;
  double busy_s = 0.0;  ///< time the worker spent evaluating this batch

  std::size_t size() const { return tasks.size(); }

  /// Empties the rows and resets the flags, keeping the columns' capacity (no reallocation when
  /// the batch is filled again).
  void clear() {
    chunk_id = 0;
    rank = 0;
    final = false;
    interrupted = false;
    tasks.clear();
    blocks.clear();
    status.clear();
    attempts.clear();
    parameters.clear();
    outputs.clear();
    trajectories.clear();
    elapsed_s.clear();
    error_rows.clear();
    error_texts.clear();
    busy_s = 0.0;
  }

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // clang-format off
    ar & chunk_id & rank & final & interrupted & tasks & blocks & status & attempts &
        parameters & outputs & trajectories & elapsed_s & error_rows & error_texts & busy_s;
    // clang-format on
  }
};

}  // namespace tmex::driver
