import Foundation
import Logging
import OrchestratorDomain
import OrchestratorPorts

/// What one `gc` run did.
public struct GarbageCollectionReport: Sendable, Equatable, Codable {
    public var scanned = 0
    /// Referenced by a version, or protected by an upload in flight.
    public var kept = 0
    /// Younger than the grace period.
    public var young = 0
    public var deleted = 0
    public var bytesFreed = 0
    /// Stale spool files (uploads interrupted mid-body) removed.
    public var spoolFilesRemoved = 0

    public init() {}
}

extension ModuleRegistry {
    /// Deletes blobs that no version references and that are older than
    /// `graceSeconds`. Each decision is made by
    /// ``ModuleCatalog/collectBlob(_:intentsStartedAfter:delete:)``, which
    /// serialises with uploads of the same digest, so a blob an upload is
    /// about to reference is never removed.
    public func collectGarbage(graceSeconds: Double, dryRun: Bool = false) async throws -> GarbageCollectionReport {
        var report = GarbageCollectionReport()
        let time = now()
        let cutoff = time - graceSeconds
        let intentCutoff = time - settings.uploadIntentTTLSeconds
        var after: ContentDigest?
        while true {
            let page = try await blobs.listBlobs(after: after, limit: 500)
            for blob in page {
                report.scanned += 1
                guard blob.lastModified <= cutoff else {
                    report.young += 1
                    continue
                }
                if try await catalog.isDigestReferenced(blob.digest) {
                    report.kept += 1
                    continue
                }
                let blobs = self.blobs
                let digest = blob.digest
                // A dry run changes nothing, so it cannot see upload intents (the real run may keep a few more).
                let removed =
                    try await dryRun
                    ? true
                    : catalog.collectBlob(digest, intentsStartedAfter: intentCutoff) { try await blobs.delete(digest) }
                if removed {
                    report.deleted += 1
                    report.bytesFreed += blob.sizeBytes
                    logger.info("collected orphan blob", metadata: ["digest": "\(digest)", "bytes": "\(blob.sizeBytes)", "dryRun": "\(dryRun)"])
                } else {
                    report.kept += 1
                }
            }
            guard page.count == 500, let last = page.last else { break }
            after = last.digest
        }
        // A spool file is written and validated within one request; never touch one younger than an intent's lifetime.
        report.spoolFilesRemoved = dryRun ? 0 : removeStaleSpoolFiles(olderThan: min(cutoff, intentCutoff))
        return report
    }

    /// Spool files are named `upload-*.part`; one older than the grace period
    /// belongs to an upload that died mid-body.
    private func removeStaleSpoolFiles(olderThan cutoff: Double) -> Int {
        let manager = FileManager.default
        let directory = settings.spoolDirectory
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix("upload-") && name.hasSuffix(".part") {
            let path = directory + "/" + name
            guard let modified = (try? manager.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                modified.timeIntervalSince1970 <= cutoff
            else { continue }
            if (try? manager.removeItem(atPath: path)) != nil { removed += 1 }
        }
        return removed
    }
}
