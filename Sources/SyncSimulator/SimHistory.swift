/// A history to simulate: the settings it runs under and its steps.
public struct SimHistory: Sendable, Equatable, CustomStringConvertible {
    /// The seed it was generated from (kept for the report; replay uses the steps).
    public var seed: UInt64
    /// `sync.conflict_policy` as an index of crm-wins, exchange-wins, newest-wins.
    public var policy: Int
    /// Items per write request (small, so batches and their partial failures happen).
    public var batchSize: Int
    public var events: [SimEvent]
    /// The mailboxes list their calendars as Graph does (a window of days, `InMemoryMailbox.window`) under a
    /// sync window that cuts the histories' dates (`SimWorld.windowedFutureDays`).
    public var windowed: Bool
    /// `sync.calls_as: task`: calls are kept as tasks.
    public var callsAsTasks: Bool

    public init(
        seed: UInt64,
        policy: Int = 0,
        batchSize: Int = 3,
        windowed: Bool = false,
        callsAsTasks: Bool = false,
        events: [SimEvent]
    ) {
        self.seed = seed
        self.policy = policy
        self.batchSize = batchSize
        self.windowed = windowed
        self.callsAsTasks = callsAsTasks
        self.events = events
    }

    public var description: String {
        "seed \(seed), policy \(policy), batch \(batchSize)\(windowed ? ", windowed" : "")\(callsAsTasks ? ", calls as tasks" : ""):\n"
            + events.enumerated().map { "  \($0.offset). \($0.element)" }.joined(separator: "\n")
    }

    /// Mailboxes (and employees) in every simulated world.
    public static let mailboxes = 2

    /// A random history of 5 to `maxLength` steps. Weights favour what users do most (edits, creates,
    /// passes); every kind of step, fault and crash point appears in well over 1 % of histories.
    public static func generate(seed: UInt64, maxLength: Int = 100) -> SimHistory {
        var random = SimRandom(seed: seed)
        let length = 5 + random.below(max(maxLength - 4, 1))
        var events: [SimEvent] = []
        for _ in 0..<length { events.append(event(&random)) }
        let policy = random.below(3)
        let batchSize = 1 + random.below(4)
        // (Drawn last, in the order they came: the steps of a seed stay what they were before each existed.)
        let windowed = random.chance(33)
        return SimHistory(
            seed: seed,
            policy: policy,
            batchSize: batchSize,
            windowed: windowed,
            callsAsTasks: random.chance(25),
            events: events
        )
    }

    static func edit(_ random: inout SimRandom, outlook: Bool) -> SimEdit {
        var fields = SimEdit.Field.allCases
        if !outlook { fields.removeAll { $0 == .emptySubject } }
        return SimEdit(field: fields[random.below(fields.count)], value: random.below(1000))
    }

    static func event(_ random: inout SimRandom) -> SimEvent {
        let m = random.below(mailboxes)
        let pick = random.below(1 << 16)
        let weighted: [(Int, (inout SimRandom) -> SimEvent)] = [
            (8, { .crmCreate(type: $0.below(3), owner: $0.below(mailboxes), day: $0.below(20)) }),
            (22, { .crmEdit(pick: pick, edit: edit(&$0, outlook: false)) }),
            (6, { _ in .crmDelete(pick: pick) }),
            (2, { _ in .crmRestore(pick: pick) }),
            (3, { _ in .crmReassign(pick: pick) }),
            (2, { _ in .crmSynchronize(pick: pick) }),
            (2, { _ in .employeeSync(employee: m) }),
            (5, { .outlookCreate(mailbox: m, task: $0.chance(50), category: $0.chance(70), day: $0.below(20)) }),
            (12, { .outlookEdit(mailbox: m, pick: pick, edit: edit(&$0, outlook: true)) }),
            (3, { _ in .outlookDelete(mailbox: m, pick: pick) }),
            (3, { _ in .outlookRestore(mailbox: m, pick: pick) }),
            (3, { _ in .outlookMove(mailbox: m, pick: pick) }),
            (3, { .outlookCopy(mailbox: m, pick: pick, into: $0.chance(60) ? m : 1 - m) }),
            (2, { _ in .outlookCategory(mailbox: m, pick: pick) }),
            (3, { _ in .serverTouch(mailbox: m, pick: pick) }),
            (1, { _ in .cursorsExpire(mailbox: m) }),
            (12, { pass(&$0, mailbox: m) }),
            (2, { _ in .tasksServed(mailbox: m) }),
        ]
        var roll = random.below(weighted.reduce(0) { $0 + $1.0 })
        for (weight, make) in weighted {
            if roll < weight { return make(&random) }
            roll -= weight
        }
        return .cursorsExpire(mailbox: m)
    }

    /// A crash at the first or second request of a kind (any of the first six writes, for `write`).
    static func aimed(_ operation: String, _ random: inout SimRandom) -> SimCrash {
        SimCrash(
            step: random.below(operation == "write" ? 3 : 2),
            afterApplying: random.chance(50),
            operation: operation
        )
    }

    static func pass(_ random: inout SimRandom, mailbox: Int) -> SimEvent {
        var faults: [SimFault] = []
        if random.chance(50) {
            for _ in 0..<(1 + random.below(2)) {
                let kinds = SimFault.Kind.allCases
                // Most aimed at writes (a fault on a read fails the pass before anything is written).
                let onWrites = random.chance(75)
                faults.append(
                    SimFault(
                        step: random.below(onWrites ? 4 : 10),
                        kind: kinds[random.below(kinds.count)],
                        value: random.below(1000),
                        onWrites: onWrites
                    )
                )
            }
        }
        var crash: SimCrash?
        if random.chance(50) {
            // At any step, or at a given kind of request (writes come late in a pass: aimed at directly).
            let operations = SimCrash.operations
            crash =
                random.chance(15)
                ? SimCrash(step: 1 + random.below(16), afterApplying: random.chance(50))
                : aimed(operations[random.below(operations.count)], &random)
        }
        return .pass(mailbox: mailbox, faults: faults, crash: crash)
    }
}
