#![allow(clippy::type_complexity)]

use futures::{stream::once, Stream, StreamExt};
use hydration_context::{SharedContext, SsrSharedContext};
use leptos::{
    context::provide_context,
    nonce::use_nonce,
    reactive::owner::{Owner, Sandboxed},
    IntoView, PrefetchLazyFn, WasmSplitManifest,
};
use leptos_config::LeptosOptions;
use leptos_meta::ServerMetaContextOutput;
use std::{future::Future, pin::Pin, sync::Arc};

pub type PinnedStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;
pub type PinnedFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
pub type BoxedFnOnce<T> = Box<dyn FnOnce() -> T + Send>;

pub trait ExtendResponse: Sized {
    type ResponseOptions: Send;

    fn from_stream(stream: impl Stream<Item = String> + Send + 'static)
        -> Self;

    fn extend_response(&mut self, opt: &Self::ResponseOptions);

    fn set_default_content_type(&mut self, content_type: &str);

    fn from_app<IV>(
        app_fn: impl FnOnce() -> IV + Send + 'static,
        meta_context: ServerMetaContextOutput,
        additional_context: impl FnOnce() + Send + 'static,
        res_options: Self::ResponseOptions,
        stream_builder: fn(
            IV,
            BoxedFnOnce<PinnedStream<String>>,
            bool,
        ) -> PinnedFuture<PinnedStream<String>>,
        supports_ooo: bool,
    ) -> impl Future<Output = Self> + Send
    where
        IV: IntoView + 'static,
    {
        async move {
            let prefetches = PrefetchLazyFn::default();

            let (owner, stream) = build_response(
                app_fn,
                additional_context,
                stream_builder,
                supports_ooo,
            );

            owner.with(|| provide_context(prefetches.clone()));

            let sc = owner.shared_context().unwrap();

            let stream = stream.await.ready_chunks(32).map(|n| n.join(""));

            while let Some(pending) = sc.await_deferred() {
                pending.await;
            }

            // Patched for Atelier (vendor/README.md): the preload links of the lazy (split) pieces
            // are written into the <head> when the first chunk, which holds it, is out. Upstream
            // read the keys before polling the stream at all, when only the lazy functions that
            // another worker thread had already reached were registered: a page got all of its
            // preload links or nearly none, request by request.
            let mut preloads = Some((owner.clone(), prefetches));
            let stream = stream.map(move |mut chunk| {
                if let Some((owner, prefetches)) = preloads.take() {
                    let links = owner.with(|| preload_links(&prefetches));
                    if let Some(head_end) = chunk.find("</head>") {
                        chunk.insert_str(head_end, &links);
                    }
                }
                chunk
            });

            let mut stream = Box::pin(
                meta_context.inject_meta_context(stream).await.then({
                    let sc = Arc::clone(&sc);
                    move |chunk| {
                        let sc = Arc::clone(&sc);
                        async move {
                            while let Some(pending) = sc.await_deferred() {
                                pending.await;
                            }
                            chunk
                        }
                    }
                }),
            );

            // wait for the first chunk of the stream, then set the status and headers
            let first_chunk = stream.next().await.unwrap_or_default();

            let mut res = Self::from_stream(Sandboxed::new(
                once(async move { first_chunk })
                    .chain(stream)
                    // drop the owner, cleaning up the reactive runtime,
                    // once the stream is over
                    .chain(once(async move {
                        owner.unset_with_forced_cleanup();
                        Default::default()
                    })),
            ));

            res.extend_response(&res_options);

            // Set the Content Type headers on all responses. This makes Firefox show the page source
            // without complaining
            res.set_default_content_type("text/html; charset=utf-8");

            res
        }
    }
}

pub fn build_response<IV>(
    app_fn: impl FnOnce() -> IV + Send + 'static,
    additional_context: impl FnOnce() + Send + 'static,
    stream_builder: fn(
        IV,
        BoxedFnOnce<PinnedStream<String>>,
        // this argument indicates whether a request wants to support out-of-order streaming
        // responses
        bool,
    ) -> PinnedFuture<PinnedStream<String>>,
    is_islands_router_navigation: bool,
) -> (Owner, PinnedFuture<PinnedStream<String>>)
where
    IV: IntoView + 'static,
{
    let shared_context = Arc::new(SsrSharedContext::new())
        as Arc<dyn SharedContext + Send + Sync>;
    let owner = Owner::new_root(Some(Arc::clone(&shared_context)));
    let stream = Box::pin(Sandboxed::new({
        let owner = owner.clone();
        async move {
            let stream = owner.with(|| {
                additional_context();

                // run app
                let app = app_fn();

                let nonce = use_nonce()
                    .as_ref()
                    .map(|nonce| format!(" nonce=\"{nonce}\""))
                    .unwrap_or_default();

                let shared_context = Owner::current_shared_context().unwrap();

                let chunks = Box::new({
                    let shared_context = shared_context.clone();
                    move || {
                        Box::pin(shared_context.pending_data().unwrap().map(
                            move |chunk| {
                                format!("<script{nonce}>{chunk}</script>")
                            },
                        ))
                            as Pin<Box<dyn Stream<Item = String> + Send>>
                    }
                });

                // convert app to appropriate response type
                // and chain the app stream, followed by chunks
                // in theory, we could select here, and intersperse them
                // the problem is that during the DOM walk, that would be mean random <script> tags
                // interspersed where we expect other children
                //
                // we also don't actually start hydrating until after the whole stream is complete,
                // so it's not useful to send those scripts down earlier.
                stream_builder(app, chunks, is_islands_router_navigation)
            });

            stream.await
        }
    }));
    (owner, stream)
}

pub fn static_file_path(options: &LeptosOptions, path: &str) -> String {
    let trimmed_path = path.trim_start_matches('/');
    let path = if trimmed_path.is_empty() {
        "index"
    } else {
        trimmed_path
    };
    format!("{}/{}.html", options.site_root, path)
}

/// The HTML of a preload link for each split piece of the lazy functions the render has
/// reached (each piece once), and of the split loader; empty when there are none or the build is
/// not split. Written directly: registering each link with the meta context as a `<Link>` view
/// took about a tenth of a millisecond for the 50 links of a page without data.
fn preload_links(prefetches: &PrefetchLazyFn) -> String {
    use html_escape::encode_double_quoted_attribute;
    use leptos::prelude::*;
    use std::fmt::Write;

    let mut html = String::new();
    let Some(prefetches) =
        prefetches.0.try_read_value().filter(|p| !p.is_empty())
    else {
        return html;
    };
    let Some(manifest_read) = use_context::<WasmSplitManifest>()
        .and_then(|m| m.0.try_read_value())
    else {
        return html;
    };
    let (pkg_path, manifest, wasm_split_file) = &*manifest_read;
    // As upstream and <HydrationScripts> write it: the nonce as the `crossorigin` value.
    let nonce = use_nonce().map(|n| n.to_string()).unwrap_or_default();
    let crossorigin = encode_double_quoted_attribute(&nonce);
    let pkg_path = encode_double_quoted_attribute(pkg_path);
    let mut written = std::collections::HashSet::new();
    for module in prefetches
        .iter()
        .flat_map(|key| manifest.get(*key).into_iter().flatten())
    {
        if written.insert(module) {
            _ = write!(
                html,
                r#"<link as="fetch" crossorigin="{crossorigin}" href="{pkg_path}/{}.wasm" rel="preload" type="application/wasm">"#,
                encode_double_quoted_attribute(module)
            );
        }
    }
    _ = write!(
        html,
        r#"<link crossorigin="{crossorigin}" href="{pkg_path}/{}" rel="modulepreload">"#,
        encode_double_quoted_attribute(wasm_split_file)
    );
    html
}
