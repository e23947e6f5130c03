//! `chatdesk`: the local server (the product on one machine, with its embedded database) and
//! the operator's command-line tools.

use clap::{Parser, Subcommand};

use chatdesk_server::{telemetry, Config, Server};

#[global_allocator]
static ALLOCATOR: chatdesk_server::Allocator = chatdesk_server::Allocator;

#[derive(Parser)]
#[command(
    name = "chatdesk",
    version,
    about = "Live-chat help desk: local server and tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the local server (the default): REST API, WebSocket gateway, console and chat page.
    Serve,
    /// Print the OpenAPI document of the REST API.
    Openapi,
    /// Print, as JSON, every HTTP route and WebSocket route with the Lambda function serving it
    /// (what the infrastructure checks compare the template with).
    Manifest,
    /// Manage groups.
    #[command(subcommand)]
    Group(chatdesk_server::admin::GroupCommand),
    /// Manage agents.
    #[command(subcommand)]
    Agent(chatdesk_server::admin::AgentCommand),
    /// Manage the knowledge base.
    #[command(subcommand)]
    Kb(chatdesk_server::admin::KbCommand),
}

fn main() -> std::process::ExitCode {
    // Before any thread starts: without it candle re-reads /proc/cpuinfo for every matrix
    // product of an embedding (about 5% of a suggestion).
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        std::env::set_var("RAYON_NUM_THREADS", cores.to_string());
    }
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("chatdesk: cannot start the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Openapi => {
            println!("{}", chatdesk::api::openapi::document_json());
            Ok(())
        }
        Command::Manifest => {
            println!("{}", chatdesk_server::manifest::manifest_json());
            Ok(())
        }
        Command::Group(cmd) => chatdesk_server::admin::group(cmd).await,
        Command::Agent(cmd) => chatdesk_server::admin::agent(cmd).await,
        Command::Kb(cmd) => kb(cmd).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chatdesk: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn kb(cmd: chatdesk_server::admin::KbCommand) -> Result<(), chatdesk_server::ServerError> {
    let config = Config::from_env()?;
    let stores = chatdesk_server::admin::stores(match &cmd {
        chatdesk_server::admin::KbCommand::Import { store, .. } => store.store,
    })
    .await?;
    let suggester = chatdesk_server::engine();
    let app = chatdesk_server::offline_app(&config, &stores, suggester)?;
    chatdesk_server::admin::kb(cmd, app.knowledge.clone(), &app).await
}

async fn serve() -> Result<(), chatdesk_server::ServerError> {
    let config = Config::from_env()?;
    let server = Server::build(config).await?;
    server.print_welcome();
    server.run_until_stopped().await
}
