// Writes trace events with time and cause filled in, and schedules work that remembers its cause.
#pragma once
#include <functional>
#include <vector>

#include "core/simulator.h"
#include "trace/trace.h"

namespace postlab {

class Recorder {
 public:
  using Observer = std::function<void(const TraceEvent&)>;

  Recorder(Simulator& sim, Trace& trace) : sim_(sim), trace_(trace) {}

  // Appends at the current virtual time; the cause is the last event of the work now running.
  std::uint64_t emit(TraceEvent event);
  // Schedules work; events it emits name as cause the event current when it was scheduled.
  EventId at(SimTime when, std::function<void()> work);
  EventId after(Duration delay, std::function<void()> work) { return at(sim_.now() + delay, std::move(work)); }

  // Called after every emitted event (narration triggers). An observer may emit in turn; the event
  // it was given stays where it is (the trace stores events in chunks that never move).
  void observe(Observer o) { observers_.push_back(std::move(o)); }

  // What is emitted next starts a chain of its own (no cause), e.g. each part of the set-up.
  void start_chain() { cause_ = -1; }
  SimTime now() const { return sim_.now(); }
  Simulator& sim() { return sim_; }
  Trace& trace() { return trace_; }
  std::int64_t cause() const { return cause_; }

 private:
  Simulator& sim_;
  Trace& trace_;
  std::int64_t cause_ = -1;
  std::vector<Observer> observers_;
};

}  // namespace postlab
