#include "seek.h"

#include <string>
#include <vector>

#include "common.h"
#include "core/rng.h"
#include "trace/player.h"
#include "trace/trace.h"
#include "trace/view.h"

namespace postlab::bench {

void bench_seek(const Trace& trace, std::string_view label, std::size_t seeks,
                std::uint64_t seed) {
  const std::string l(label);
  reset_peak_rss();
  const std::size_t rss_before = rss_bytes();
  auto start = Clock::now();
  Player player(trace);
  const double build_s = seconds_since(start);
  const std::size_t rss_after = rss_bytes();
  const std::size_t peak = peak_rss_bytes();

  Rng rng(seed);
  std::vector<double> ms, cursor_ms;
  ms.reserve(seeks);
  cursor_ms.reserve(seeks);
  std::size_t checksum = 0;  // keeps the seeks and reads from being optimised away
  for (std::size_t i = 0; i < seeks; ++i) {
    const auto step = static_cast<std::size_t>(rng.uniform(0, player.steps()));
    start = Clock::now();
    player.seek(step);
    cursor_ms.push_back(seconds_since(start) * 1000);
    // What the window reads at a new cursor: every mailbox's folders with their counts and latest
    // rows, the queues, the open connections, the narration and the message a step is about.
    const StateView view = player.view();
    for (const MailboxState* box : view.mailboxes())
      for (const FolderState* f : view.folders(*box)) checksum += view.count(*f) + view.latest(*f, 200).size();
    checksum += view.queue().size() + view.connections().size();
    checksum += static_cast<std::size_t>(view.narration() + view.message() + 2);
    ms.push_back(seconds_since(start) * 1000);
  }
  const double events = static_cast<double>(trace.size());
  const std::size_t grown = rss_after > rss_before ? rss_after - rss_before : 0;
  figure(l + " trace events", std::to_string(trace.size()) + " (" + std::to_string(player.steps()) + " steps)");
  figure(l + " player build", build_s * 1000, "ms", 0);
  figure(l + " seek p50 (cursor and reading the view)", percentile(ms, 50), "ms", 3);
  figure(l + " seek p99 (cursor and reading the view)", percentile(ms, 99), "ms", 3);
  figure(l + " seek max (cursor and reading the view)", percentile(ms, 100), "ms", 3);
  figure(l + " seek p99 (cursor only)", percentile(cursor_ms, 99), "ms", 4);
  const std::size_t own = player.bytes() + trace.state().bytes();
  figure(l + " player memory", mib(own) + " (" + std::to_string(static_cast<std::size_t>(static_cast<double>(own) / events)) +
                                   " B per event: steps " + mib(player.bytes()) + ", state index " +
                                   mib(trace.state().bytes()) + "; RSS growth when built " + mib(grown) + ", peak " +
                                   mib(peak > rss_before ? peak - rss_before : 0) + ")");
  if (checksum == 0 && player.steps() > 0 && seeks > 100) figure(l + " note", "every seek landed at step 0");
}

}  // namespace postlab::bench
