#!/usr/bin/env python3
"""SimPy's classic workload, for PostLab's bench: PROCESSES processes that each wait a random 1-1000
time units in a loop, until EVENTS waits have ended in all. Prints the SimPy version, then
"events N seconds S" (wall time of the run). Exit status 3 when SimPy is not installed.

Usage: simpy_workload.py EVENTS [PROCESSES]

Debian's python3-simpy is SimPy 2 (module SimPy.Simulation); SimPy 3 or later (module simpy) is used
when that is what is installed.
"""
import random
import sys
import time

SEED = 42


def run_simpy2(events, processes):
    from SimPy.Simulation import Process, Simulation, hold

    sim = Simulation()
    sim.initialize()
    rng = random.Random(SEED)
    done = [0]

    class Waiter(Process):
        def wait(self):
            while True:
                yield hold, self, rng.randint(1, 1000)
                done[0] += 1
                if done[0] >= events:
                    sim.stopSimulation()

    start = time.perf_counter()
    for _ in range(processes):
        w = Waiter(sim=sim)
        sim.activate(w, w.wait())
    sim.simulate(until=float("inf"))
    return done[0], time.perf_counter() - start


def run_simpy3(events, processes):
    import simpy

    env = simpy.Environment()
    rng = random.Random(SEED)
    done = [0]
    finished = env.event()

    def waiter(env):
        while True:
            yield env.timeout(rng.randint(1, 1000))
            done[0] += 1
            if done[0] == events:
                finished.succeed()

    start = time.perf_counter()
    for _ in range(processes):
        env.process(waiter(env))
    env.run(until=finished)
    return done[0], time.perf_counter() - start


def main():
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    processes = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    try:
        import SimPy.Simulation  # noqa: F401  (SimPy 2, Debian's python3-simpy)
        version, run = "2 (SimPy.Simulation)", run_simpy2
    except ImportError:
        try:
            import simpy

            version, run = getattr(simpy, "__version__", "3+"), run_simpy3
        except ImportError:
            print("no-simpy: install python3-simpy")
            return 3
    print("simpy " + version, flush=True)
    n, seconds = run(events, processes)
    print("events %d seconds %.6f" % (n, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
