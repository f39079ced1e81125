import Bounds
import EWS
import Foundation

extension GraphClient {
    /// Sends requests of one mailbox as `$batch`es of up to `batchSize`, one result per request, in order.
    ///
    /// Each request of a batch is throttled on its own: a 429 or 503 inside a 200 batch is resent alone after
    /// its `Retry-After`. A batch whose answer was lost makes each write in it ambiguous (and fails its reads).
    public func batch(_ requests: [GraphRequest]) async throws -> [Result<GraphResponse, EWSError>] {
        var results: [Result<GraphResponse, EWSError>] = []
        results.reserveCapacity(requests.count)
        for start in stride(from: 0, to: requests.count, by: configuration.batchSize) {
            let chunk = Array(requests[start..<min(start + configuration.batchSize, requests.count)])
            results += try await batchChunk(chunk)
        }
        return results
    }

    private func batchChunk(_ requests: [GraphRequest]) async throws -> [Result<GraphResponse, EWSError>] {
        guard let mailbox = requests.first?.mailbox else { return [] }
        // A single request needs no envelope.
        if requests.count == 1 {
            do { return [.success(try await send(requests[0]))] } catch let error as EWSError {
                return [.failure(error)]
            }
        }
        var results = [Result<GraphResponse, EWSError>?](repeating: nil, count: requests.count)
        var open = Array(requests.indices)
        var attempt = 0
        while !open.isEmpty {
            attempt += 1
            let envelope = try Self.envelope(open.map { ($0, requests[$0]) })
            let outer: GraphResponse
            do {
                var batch = GraphRequest("POST", "/$batch", mailbox: mailbox, body: envelope)
                batch.isWrite = open.contains { requests[$0].isWrite }
                outer = try await send(batch)
            } catch let error as EWSError {
                for index in open { results[index] = .failure(error) }
                break
            }
            guard outer.status == 200, let answers = outer.json?["responses"] as? [[String: Any]] else {
                let error = outer.error(.http, "$batch refused")
                for index in open { results[index] = .failure(error) }
                break
            }
            var throttled: [Int] = []
            var worst: GraphResponse?
            for answer in answers {
                guard let id = answer["id"] as? String, let index = Int(id), open.contains(index) else { continue }
                let response = Self.response(answer)
                if [429, 503].contains(response.status) && attempt < configuration.retry.maxAttempts {
                    throttled.append(index)
                    if worst == nil
                        || (response.headers["retry-after"].flatMap(Double.init) ?? 0)
                            > (worst?.headers["retry-after"].flatMap(Double.init) ?? 0)
                    {
                        worst = response
                    }
                } else {
                    results[index] = .success(response)
                }
            }
            // A request the batch answered nothing for: not applied as far as we can tell — a write is ambiguous.
            for index in open where results[index] == nil && !throttled.contains(index) {
                var error = EWSError(.malformedResponse, "$batch gave no answer for a request")
                error.backend = "Graph"
                results[index] = .failure(requests[index].isWrite ? Self.ambiguous(error) : error)
            }
            open = throttled
            if let worst { await backOff(mailbox, worst, attempt: attempt) }
        }
        return results.map {
            $0
                ?? .failure(
                    {
                        var error = EWSError(.throttled, "Graph is throttling the mailbox; retries used up")
                        error.backend = "Graph"
                        return error
                    }()
                )
        }
    }

    /// `{"requests": [...]}` with each request's index as its id.
    static func envelope(_ requests: [(Int, GraphRequest)]) throws -> [UInt8] {
        var entries: [[String: Any]] = []
        for (index, request) in requests {
            var entry: [String: Any] = ["id": String(index), "method": request.method, "url": request.path]
            var headers = Dictionary(request.headers, uniquingKeysWith: { _, last in last })
            if let body = request.body {
                entry["body"] = try JSONSerialization.jsonObject(with: Data(body))
                headers["Content-Type"] = "application/json"
            }
            if !headers.isEmpty { entry["headers"] = headers }
            entries.append(entry)
        }
        return Array(try JSONSerialization.data(withJSONObject: ["requests": entries]))
    }

    /// One answer of a batch as a response.
    static func response(_ answer: [String: Any]) -> GraphResponse {
        let headers = (answer["headers"] as? [String: Any] ?? [:]).reduce(into: [String: String]()) {
            $0[$1.key.lowercased()] = ($1.value as? String) ?? ($1.value as? NSNumber)?.stringValue
        }
        var body: [UInt8] = []
        if let value = answer["body"], !(value is NSNull),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
        {
            body = Array(data)
        }
        // (A status out of 0…999 — NaN, 1e300 — is no status: clamped, never a trap.)
        let status = (answer["status"] as? Double).map { Int(Bounded.seconds($0, atMost: 999)) } ?? 0
        return GraphResponse(status: status, headers: headers, body: body)
    }
}
