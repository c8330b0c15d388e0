// The readers' side of bench/fanout: one worker process holding a share of the subscriber
// WebSockets on one single-threaded io_context, timing every delivery.
#pragma once

#include "fanout_common.hpp"

namespace liveticker::bench {

/// Runs in a forked worker process. Holds subscribers [first, last) of the run (the index picks
/// the source address), takes commands from `command_fd` and writes its reports to `report_fd`:
/// a connect_report once every subscriber has its snapshot or failed, then a final_report once
/// every delivery arrived or the settle time after the `posted` command ran out.
/// Returns the process's exit code.
int run_subscriber_worker(const options& opt, int first, int last, int command_fd, int report_fd);

} // namespace liveticker::bench
