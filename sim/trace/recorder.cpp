#include "trace/recorder.h"

namespace postlab {

std::uint64_t Recorder::emit(TraceEvent event) {
  event.time = sim_.now();
  event.cause = cause_;
  const std::uint64_t seq = trace_.append(std::move(event));
  cause_ = static_cast<std::int64_t>(seq);
  if (!observers_.empty()) {
    // A copy: an observer may emit in turn, and the trace's storage may move when it grows.
    const TraceEvent appended = trace_.events()[seq];
    for (const auto& o : observers_) o(appended);
  }
  return seq;
}

EventId Recorder::at(SimTime when, std::function<void()> work) {
  return sim_.at(when, [this, cause = cause_, work = std::move(work)] {
    cause_ = cause;
    work();
  });
}

}  // namespace postlab
