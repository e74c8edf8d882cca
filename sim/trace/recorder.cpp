#include "trace/recorder.h"

namespace postlab {

std::uint64_t Recorder::emit(TraceEvent event) {
  event.time = sim_.now();
  event.cause = cause_;
  const std::uint64_t seq = trace_.append(std::move(event));
  cause_ = static_cast<std::int64_t>(seq);
  for (const auto& o : observers_) o(trace_.events()[seq]);
  return seq;
}

EventId Recorder::at(SimTime when, std::function<void()> work) {
  return sim_.at(when, [this, cause = cause_, work = std::move(work)] {
    cause_ = cause;
    work();
  });
}

}  // namespace postlab
