import ActivityModel
import SyncPlanning
import Testing

/// Both sides and the links in memory, with the plan applied the way the executor applies it.
struct World {
    var crm: [String: CRMSide] = [:]
    var exchange: [String: ExchangeSide] = [:]
    var links: [String: (item: String, base: SyncFields)] = [:]
    var counter = 0

    mutating func newId(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    /// Pairs as the engine gathers them: by link, and by the identity property on the items.
    func observations() -> [PairObservation] {
        var pairs: [PairObservation] = []
        var seenItems: Set<String> = []
        let byIdentity = Dictionary(
            exchange.values.compactMap { item in item.activityId.map { ($0, item) } },
            uniquingKeysWith: { a, _ in a }
        )
        for id in Set(crm.keys).union(links.keys).sorted() {
            let link = links[id]
            let item = byIdentity[id] ?? link.flatMap { exchange[$0.item] }
            if let item { seenItems.insert(item.itemId) }
            pairs.append(PairObservation(crm: crm[id], exchange: item, base: link?.base, linkedItemId: link?.item))
        }
        for item in exchange.values.sorted(by: { $0.itemId < $1.itemId }) where !seenItems.contains(item.itemId) {
            pairs.append(PairObservation(crm: nil, exchange: item))
        }
        return pairs
    }

    mutating func apply(_ plan: SyncPlan) {
        for action in plan.actions {
            switch action {
            case .createRemote(let activity, _, let fields, _):
                let item = newId("I")
                exchange[item] = ExchangeSide(
                    itemId: item,
                    kind: .task,
                    fields: fields,
                    activityId: activity,
                    hasCategory: true
                )
                links[activity] = (item, fields)
            case .updateRemote(let activity, let item, _, let fields, _, _):
                exchange[item]?.fields = fields
                links[activity] = (item, fields)
            case .deleteRemote(let activity, let item, _, _, _):
                exchange[item] = nil
                links[activity] = nil
            case .createLocal(let item, _, let fields):
                let activity = newId("N")
                crm[activity] = CRMSide(activityId: activity, fields: fields)
                exchange[item]?.activityId = activity  // the engine stamps the identity on imported items
                links[activity] = (item, fields)
            case .updateLocal(let activity, let fields, _, let restore):
                crm[activity]?.fields = fields
                if restore { crm[activity]?.deleted = false }
                let item = links[activity]?.item ?? exchange.values.first { $0.activityId == activity }!.itemId
                links[activity] = (item, fields)
            case .tombstoneLocal(let activity):
                crm[activity]?.deleted = true
                links[activity] = nil
            case .unlink(let activity):
                links[activity] = nil
            case .relink(let activity, let item):
                links[activity] = (item, links[activity]?.base ?? exchange[item]!.fields)
            case .setBase(let activity, let fields):
                links[activity]?.base = fields
            case .recordConflict, .skip, .stampIdentity, .copyResponses:
                break
            }
        }
    }
}

/// A small deterministic generator (the tests must fail the same way every time).
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 11
    }
}

@Suite("planner properties")
struct PlannerPropertyTests {
    static let subjects = ["Call back", "Send offer", "Visit", "Renewal"]
    static let statuses = ["not_started", "in_process", "completed"]

    static func randomFields(_ rng: inout SeededRandom) -> SyncFields {
        SyncFields(
            subject: subjects.randomElement(using: &rng)!,
            priority: Priority.allCases.randomElement(using: &rng)!,
            status: statuses.randomElement(using: &rng)!,
            due: ["2026-12-03", "2026-12-04", nil].randomElement(using: &rng)!,
            reminderMinutes: [nil, 15, 30].randomElement(using: &rng)!
        )
    }

    /// A synced world, then random edits on both sides.
    static func randomWorld(seed: UInt64) -> World {
        var rng = SeededRandom(state: seed)
        var world = World()
        for _ in 0..<12 {
            let activity = world.newId("A")
            let item = world.newId("I")
            let fields = randomFields(&rng)
            world.crm[activity] = CRMSide(activityId: activity, fields: fields, updatedAt: "2026-12-01T10:00:00Z")
            world.exchange[item] = ExchangeSide(
                itemId: item,
                changeKey: "K",
                kind: .task,
                fields: fields,
                lastModified: "2026-12-01T10:00:00Z",
                activityId: activity,
                hasCategory: true
            )
            world.links[activity] = (item, fields)
        }
        for _ in 0..<20 {
            let activity = world.crm.keys.sorted().randomElement(using: &rng)!
            let item = world.links[activity]?.item ?? world.exchange.values.first { $0.activityId == activity }?.itemId
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: world.crm[activity]?.fields.subject = subjects.randomElement(using: &rng)! + " (CRM)"
            case 1: if let item { world.exchange[item]?.fields.status = statuses.randomElement(using: &rng)! }
            case 2:
                if let item {
                    world.exchange[item]?.fields.subject = subjects.randomElement(using: &rng)! + " (Outlook)"
                }
            case 3: world.crm[activity]?.deleted = true
            case 4: if let item { world.exchange[item] = nil }
            case 5:
                if let item, let moved = world.exchange.removeValue(forKey: item) {
                    let newItem = world.newId("I")
                    world.exchange[newItem] = moved
                    world.exchange[newItem]?.itemId = newItem
                }
            case 6: world.crm[activity]?.synchronize = false
            case 7:
                let newItem = world.newId("I")
                world.exchange[newItem] = ExchangeSide(
                    itemId: newItem,
                    kind: .calendarItem,
                    fields: randomFields(&rng),
                    hasCategory: Bool.random(using: &rng)
                )
            case 8:
                let new = world.newId("A")
                world.crm[new] = CRMSide(activityId: new, fields: randomFields(&rng))
            default: world.links[activity] = nil  // bookkeeping lost
            }
        }
        return world
    }

    @Test("apply the plan to in-memory sides, re-plan: the plan is empty", arguments: 0..<200)
    func replanIsEmpty(seed: Int) {
        for policy in [
            SyncPolicy(), SyncPolicy(conflictPolicy: .exchangeWins, importRule: .all),
            SyncPolicy(conflictPolicy: .newestWins, remoteDelete: .unlink),
        ] {
            var world = Self.randomWorld(seed: UInt64(seed) &* 7919 &+ 17)
            let first = SyncPlanner.makePlan(world.observations(), policy: policy)
            #expect(!first.isEmpty, "seed \(seed): the random edits should need a plan")
            world.apply(first)
            let second = SyncPlanner.makePlan(world.observations(), policy: policy)
            #expect(second.isEmpty, "seed \(seed) \(policy.conflictPolicy):\nfirst:\n\(first)\nsecond:\n\(second)")
        }
    }

    @Test("after a converged pass, both sides hold the same values for every linked pair", arguments: 0..<50)
    func converged(seed: Int) {
        var world = Self.randomWorld(seed: UInt64(seed) &+ 1000)
        world.apply(SyncPlanner.makePlan(world.observations(), policy: SyncPolicy()))
        for (activity, link) in world.links {
            #expect(world.crm[activity]?.fields == link.base, "\(activity)")
            #expect(world.exchange[link.item]?.fields == link.base, "\(activity)")
        }
    }
}
