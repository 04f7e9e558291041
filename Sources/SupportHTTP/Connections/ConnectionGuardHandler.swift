import NIOCore
import NIOHTTPTypes

/// One connection's guard: it reports the connection's phase to the server's
/// ``ConnectionRegistry`` (which may close it, or others, to respect the cap) and closes a
/// connection that does not send a whole request in time.
///
/// The idle timeout runs whenever the connection owes the server a request: from the moment it
/// opens, and again after each response. The request's head must arrive whole within it
/// (a client that trickles header bytes is closed), and then each part of its body within it
/// of the previous one (a large upload that keeps moving is not cut off; one that stalls is).
/// While a whole request is being served nothing times out: a long reindex is not the client's fault.
///
/// It sits in the HTTP/1 pipeline after the codec (``LoopdeskHTTPServer`` adds one per
/// connection through `HTTP1Channel.Configuration.additionalChannelHandlers`).
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private let idleTimeout: TimeAmount
    private var admitted = false
    /// Request heads read minus response ends written.
    private var requestsInProgress = 0
    /// Between a request's head and its end.
    private var readingRequest = false
    private var timer: Scheduled<Void>?

    init(registry: ConnectionRegistry, idleTimeout: TimeAmount) {
        self.registry = registry
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        registry.remove(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsInProgress += 1
            readingRequest = true
            registry.update(context.channel, phase: .receiving)
            startTimer(context)   // now for the body's next part
        case .body:
            startTimer(context)
        case .end:
            readingRequest = false
            cancelTimer()
            registry.update(context.channel, phase: .serving)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            requestsInProgress = max(0, requestsInProgress - 1)
            if requestsInProgress == 0, !readingRequest {
                registry.update(context.channel, phase: .idle)
                startTimer(context)
            }
        }
        context.write(data, promise: promise)
    }

    /// Registers the connection once; closes it, or the ones the registry names, as the cap requires.
    private func admit(_ context: ChannelHandlerContext) {
        guard !admitted else { return }
        admitted = true
        switch registry.admit(context.channel) {
        case .refused:
            context.close(promise: nil)
        case let .admitted(closing):
            for channel in closing { channel.close(promise: nil) }
            startTimer(context)
        }
    }

    /// (Re)starts the idle timer: when it fires, the connection is closed unless it is being served.
    private func startTimer(_ context: ChannelHandlerContext) {
        cancelTimer()
        let loop = context.eventLoop.assumeIsolated()
        timer = loop.scheduleTask(in: idleTimeout) { [self] in
            timer = nil
            guard readingRequest || requestsInProgress == 0 else { return }
            registry.countTimeout()
            context.close(promise: nil)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
