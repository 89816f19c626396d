#!/usr/bin/python3
"""M/M/10 at rho = 0.8 in SimPy 3, the reference for bench/run.

Arrivals are Poisson at 8/s, service is exponential with mean 1 s. The run
stops when the N-th customer arrives; customers still in the system then are
left out of the wait and sojourn means. Prints one JSON line.
"""
import argparse
import json
import random
import time

import simpy

SERVERS = 10
ARRIVAL_RATE = 8.0  # per second
MEAN_SERVICE = 1.0  # seconds
SAMPLE_INTERVAL = 10.0  # seconds of simulated time


def simulate(customers, seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=SERVERS)
    served = wait_sum = sojourn_sum = 0
    queue_area = queue_since = 0.0  # time-weighted queue length
    samples = []  # (time, queue length) every SAMPLE_INTERVAL

    def queue_changing():
        nonlocal queue_area, queue_since
        queue_area += len(desk.queue) * (env.now - queue_since)
        queue_since = env.now

    def customer():
        nonlocal served, wait_sum, sojourn_sum
        arrived = env.now
        queue_changing()
        with desk.request() as req:
            yield req
            wait = env.now - arrived
            yield env.timeout(rng.expovariate(1.0 / MEAN_SERVICE))
            queue_changing()
        served += 1
        wait_sum += wait
        sojourn_sum += env.now - arrived

    def source():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(ARRIVAL_RATE))
            env.process(customer())

    def sampler():
        while True:
            samples.append((env.now, len(desk.queue)))
            yield env.timeout(SAMPLE_INTERVAL)

    env.process(sampler())
    env.run(until=env.process(source()))
    queue_changing()
    return {
        "mean_wait_s": wait_sum / served if served else None,
        "mean_sojourn_s": sojourn_sum / served if served else None,
        "mean_queue_len": queue_area / env.now if env.now else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.customers < 1:
        parser.error("--customers must be at least 1")

    start = time.perf_counter()
    stats = simulate(args.customers, args.seed)
    wall = time.perf_counter() - start
    print(json.dumps({
        "customers": args.customers,
        "wall_s": round(wall, 3),
        "customers_per_s": round(args.customers / wall),
        **stats,
    }))


if __name__ == "__main__":
    main()
